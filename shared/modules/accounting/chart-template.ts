import type { AccountRole, AccountType } from './tables.js';

export interface TemplateAccount {
  code: string;
  name: string;
  type: AccountType;
  role?: AccountRole;
  /** Control accounts are kept by their sub-ledgers (AR, AP, stock, VAT); people do not post to them by hand. */
  manualPosting?: boolean;
}

/**
 * A chart of accounts for a South African small or medium business (trading and construction),
 * general enough for other countries: four-digit codes grouped by statement section.
 */
export const SME_CHART: readonly TemplateAccount[] = [
  { code: '1000', name: 'Bank: current account', type: 'asset', role: 'bank' },
  { code: '1010', name: 'Bank: call account', type: 'asset' },
  { code: '1050', name: 'Petty cash', type: 'asset' },
  { code: '1100', name: 'Trade receivables', type: 'asset', role: 'receivable', manualPosting: false },
  { code: '1150', name: 'Allowance for doubtful debts', type: 'asset' },
  { code: '1200', name: 'Inventory', type: 'asset', role: 'inventory', manualPosting: false },
  { code: '1250', name: 'Work in progress: contracts', type: 'asset' },
  { code: '1300', name: 'VAT input', type: 'asset', role: 'vat_input', manualPosting: false },
  { code: '1350', name: 'Prepayments and deposits', type: 'asset' },
  { code: '1400', name: 'Retentions receivable', type: 'asset' },
  { code: '1500', name: 'Plant and equipment', type: 'asset' },
  { code: '1510', name: 'Accumulated depreciation: plant and equipment', type: 'asset' },
  { code: '1520', name: 'Motor vehicles', type: 'asset' },
  { code: '1530', name: 'Accumulated depreciation: motor vehicles', type: 'asset' },
  { code: '1540', name: 'Computer equipment', type: 'asset' },
  { code: '2000', name: 'Trade payables', type: 'liability', role: 'payable', manualPosting: false },
  { code: '2050', name: 'Accrued expenses', type: 'liability' },
  {
    code: '2060',
    name: 'Goods received not invoiced',
    type: 'liability',
    role: 'grni',
    manualPosting: false,
  },
  { code: '2100', name: 'VAT output', type: 'liability', role: 'vat_output', manualPosting: false },
  { code: '2150', name: 'VAT payable to SARS', type: 'liability' },
  { code: '2200', name: 'PAYE, UIF and SDL payable', type: 'liability' },
  { code: '2250', name: 'Salaries payable', type: 'liability' },
  { code: '2300', name: 'Retentions payable', type: 'liability' },
  { code: '2350', name: 'Customer deposits', type: 'liability' },
  { code: '2400', name: 'Income tax payable', type: 'liability' },
  { code: '2500', name: 'Long-term loans', type: 'liability' },
  { code: '2550', name: 'Instalment sale agreements', type: 'liability' },
  { code: '3000', name: 'Share capital', type: 'equity' },
  {
    code: '3100',
    name: 'Retained earnings',
    type: 'equity',
    role: 'retained_earnings',
    manualPosting: false,
  },
  { code: '3200', name: 'Shareholder loans', type: 'equity' },
  { code: '4000', name: 'Sales', type: 'revenue' },
  { code: '4100', name: 'Contract revenue', type: 'revenue' },
  { code: '4200', name: 'Service revenue', type: 'revenue' },
  { code: '4500', name: 'Interest received', type: 'revenue' },
  { code: '4600', name: 'Other income', type: 'revenue' },
  { code: '4700', name: 'Foreign exchange gains', type: 'revenue', role: 'fx_gain', manualPosting: false },
  { code: '5000', name: 'Cost of sales', type: 'expense', role: 'cost_of_sales' },
  { code: '5050', name: 'Stock adjustments', type: 'expense', role: 'stock_adjustment' },
  { code: '5100', name: 'Materials', type: 'expense' },
  { code: '5200', name: 'Subcontractors', type: 'expense' },
  { code: '5300', name: 'Plant hire', type: 'expense' },
  { code: '5400', name: 'Site labour', type: 'expense' },
  { code: '6000', name: 'Salaries and wages', type: 'expense' },
  { code: '6050', name: 'Employer contributions (UIF, SDL)', type: 'expense' },
  { code: '6100', name: 'Rent', type: 'expense' },
  { code: '6150', name: 'Electricity and water', type: 'expense' },
  { code: '6200', name: 'Telephone and internet', type: 'expense' },
  { code: '6250', name: 'Motor vehicle expenses', type: 'expense' },
  { code: '6300', name: 'Fuel', type: 'expense' },
  { code: '6350', name: 'Insurance', type: 'expense' },
  { code: '6400', name: 'Repairs and maintenance', type: 'expense' },
  { code: '6450', name: 'Accounting and legal fees', type: 'expense' },
  { code: '6500', name: 'Bank charges', type: 'expense' },
  { code: '6550', name: 'Depreciation', type: 'expense' },
  { code: '6600', name: 'Bad debts', type: 'expense' },
  { code: '6650', name: 'Office expenses', type: 'expense' },
  { code: '6700', name: 'Travel and accommodation', type: 'expense' },
  { code: '6750', name: 'Safety equipment and PPE', type: 'expense' },
  { code: '6800', name: 'Interest paid', type: 'expense' },
  { code: '6850', name: 'Foreign exchange losses', type: 'expense', role: 'fx_loss', manualPosting: false },
  {
    code: '6860',
    name: 'Unrealised foreign exchange differences',
    type: 'expense',
    role: 'fx_unrealised',
    manualPosting: false,
  },
  { code: '6900', name: 'Rounding differences', type: 'expense', role: 'rounding', manualPosting: false },
  { code: '7000', name: 'Income tax expense', type: 'expense' },
];

/**
 * The tax codes a tenant starts with: South African VAT for ZAR tenants; elsewhere zero-rated and
 * exempt only, and the tenant adds its country's rates (POST /api/v1/accounting/tax-codes).
 */
export function taxCodeTemplate(
  baseCurrency: string,
): { code: string; name: string; kind: 'standard' | 'zero' | 'exempt'; rate: string }[] {
  if (baseCurrency === 'ZAR') {
    return [
      { code: 'VAT15', name: 'VAT standard rate 15%', kind: 'standard', rate: '15.0000' },
      { code: 'ZERO', name: 'Zero-rated', kind: 'zero', rate: '0.0000' },
      { code: 'EXEMPT', name: 'Exempt', kind: 'exempt', rate: '0.0000' },
    ];
  }
  return [
    { code: 'ZERO', name: 'Zero-rated', kind: 'zero', rate: '0.0000' },
    { code: 'EXEMPT', name: 'Exempt', kind: 'exempt', rate: '0.0000' },
  ];
}
