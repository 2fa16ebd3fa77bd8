import {
  addExchangeRate,
  createDocument,
  createParty,
  createSettlement,
  issueDocument,
  listParties,
  postEntry,
  postSettlement,
  setUpBooks,
  trialBalance,
  type DocumentKind,
  type DocumentLineInput,
  type PartyCreateInput,
  type PartyKind,
  type SettlementKind,
} from '../../shared/modules/accounting/index.js';
import { DEMO_TENANTS } from '../../shared/modules/admin/index.js';
import type { AuditActor } from '../../shared/platform/audit.js';
import { todayIn } from '../../shared/platform/clock.js';
import type { Db, Tx } from '../../shared/platform/db/database.js';
import { withTenant } from '../../shared/platform/db/tenant.js';
import { Decimal, minorUnits } from '../../shared/platform/money.js';
import { day, DEMO_ACTOR, monthStart, random } from './demo-ledger.js';

type Dec = InstanceType<typeof Decimal>;

/**
 * When a party settles a document, in days after its due date (negative: before it). Each
 * instalment pays a share of the gross, or what is still outstanding ('rest'). A document with
 * fewer instalments than it needs stays (partly) open: a query, a dispute, a slow payer.
 */
interface Instalment {
  share: 'rest' | string;
  late: number;
}

interface PartyPlan {
  kind: PartyKind;
  input: PartyCreateInput;
  /** Receipts or payments go out in runs every so many days (several documents at once). */
  runEveryDays?: number;
  runPhase?: number;
}

interface DocumentStep {
  type: 'document';
  date: string;
  kind: DocumentKind;
  key: string;
  party: string;
  reference?: string;
  memo?: string;
  /** The key of the invoice a credit note corrects. */
  corrects?: string;
  lines: DocumentLineInput[];
}

interface SettlementStep {
  type: 'settlement';
  date: string;
  kind: SettlementKind;
  party: string;
  reference: string;
  allocations: { document: string; share: Instalment['share'] }[];
}

interface RateStep {
  type: 'rate';
  date: string;
  currency: string;
  rate: string;
}

/**
 * A VAT return for a two-month period: on its last day output and input VAT are cleared to the
 * amount payable to SARS, which is paid on the 25th of the next month.
 */
interface VatReturnStep {
  type: 'vat-return';
  date: string;
  from: string;
}

interface VatPaymentStep {
  type: 'vat-payment';
  date: string;
  from: string;
}

type Step = DocumentStep | SettlementStep | RateStep | VatReturnStep | VatPaymentStep;

interface TradePlan {
  parties: PartyPlan[];
  steps: Step[];
}

/** Same-day order: rates first, then documents, credit notes, receipts and payments, VAT. */
const RANK: Record<Step['type'], number> = {
  rate: 0,
  document: 1,
  settlement: 3,
  'vat-return': 4,
  'vat-payment': 4,
};
const rank = (step: Step) => (step.type === 'document' && step.kind === 'credit_note' ? 2 : RANK[step.type]);

function daysBefore(today: string, days: number): string {
  const d = new Date(`${today}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - days);
  return d.toISOString().slice(0, 10);
}

const daysBetween = (from: string, to: string) => (Date.parse(to) - Date.parse(from)) / 86_400_000;

interface Draws {
  /** A number between `low` and `high`. */
  between(low: number, high: number): number;
  /** A whole number from `low` to `high`. */
  whole(low: number, high: number): number;
  /** Settled in full, between `low` and `high` days after the due date. */
  late(low: number, high: number): Instalment;
}

/** A party's own sequence of amounts and delays, so one party's documents never shift another's. */
function draws(salt: number): Draws {
  const next = random(20261123 + salt);
  const between = (low: number, high: number) => low + (high - low) * next();
  const whole = (low: number, high: number) => Math.floor(between(low, high + 1));
  return {
    between,
    whole,
    late: (low, high) => ({ share: 'rest', late: whole(low, high) }),
  };
}

const money = (value: number) => new Decimal(value).toDecimalPlaces(2).toFixed(2);

/**
 * Builds a plan's documents and their settlements from days before today, so the books age the
 * same way whatever the date: each document is issued `offset` days ago and settled by its
 * instalments (snapped to the party's next run), unless that day is still to come.
 */
class PlanBuilder {
  readonly parties: PartyPlan[] = [];
  readonly steps: Step[] = [];
  readonly #settlements = new Map<string, SettlementStep>();
  readonly #today: string;

  constructor(today: string) {
    this.#today = today;
  }

  date(offset: number): string {
    return daysBefore(this.#today, offset);
  }

  party(plan: PartyPlan): void {
    this.parties.push(plan);
  }

  rate(offset: number, currency: string, rate: string): void {
    this.steps.push({ type: 'rate', date: this.date(offset), currency, rate });
  }

  /** A return once its period is over, and its payment once it is due. */
  vatReturn(from: string, to: string, payOn: string): void {
    if (to < this.#today) this.steps.push({ type: 'vat-return', date: to, from });
    if (payOn <= this.#today) this.steps.push({ type: 'vat-payment', date: payOn, from });
  }

  document(offset: number, doc: Omit<DocumentStep, 'type' | 'date'>, instalments: Instalment[] = []): void {
    this.steps.push({ type: 'document', date: this.date(offset), ...doc });
    const party = this.parties.find((p) => p.input.code === doc.party);
    if (!party) throw new Error(`No demo party ${doc.party}.`);
    const due = offset - party.input.paymentTermsDays;
    for (const instalment of instalments) {
      let when = Math.min(offset, due - instalment.late);
      if (party.runEveryDays) {
        const phase = party.runPhase ?? 0;
        when = phase + Math.floor((when - phase) / party.runEveryDays) * party.runEveryDays;
      }
      if (when < 0) break;
      this.#settle(party, when, doc.key, instalment.share);
    }
  }

  /** One receipt or payment per party and day, allocated across the documents it settles. */
  #settle(party: PartyPlan, offset: number, document: string, share: Instalment['share']): void {
    const key = `${party.input.code}:${offset}`;
    let settlement = this.#settlements.get(key);
    if (!settlement) {
      const date = this.date(offset);
      settlement = {
        type: 'settlement',
        date,
        kind: party.kind === 'customer' ? 'receipt' : 'payment',
        party: party.input.code,
        reference:
          party.kind === 'customer'
            ? `EFT ${party.input.code} ${date.replaceAll('-', '')}`
            : `Payment run ${date}`,
        allocations: [],
      };
      this.#settlements.set(key, settlement);
      this.steps.push(settlement);
    }
    const same = settlement.allocations.find((a) => a.document === document);
    if (same) same.share = 'rest';
    else settlement.allocations.push({ document, share });
  }

  build(): TradePlan {
    const steps = this.steps
      .map((step, i) => ({ step, i }))
      .sort((a, b) => a.step.date.localeCompare(b.step.date) || rank(a.step) - rank(b.step) || a.i - b.i)
      .map(({ step }) => step);
    return { parties: this.parties, steps };
  }
}

const line = (
  description: string,
  account: string,
  quantity: string | number,
  unitPrice: string,
  taxCode = 'VAT15',
): DocumentLineInput => ({ description, account, quantity: String(quantity), unitPrice, taxCode });

const za = (line1: string, city: string, region: string, postalCode: string) => ({
  line1,
  city,
  region,
  postalCode,
  country: 'ZA',
});

/**
 * The demo company's trade over the year of its journal: monthly progress claims to a developer,
 * a municipality (slow, one certificate part-paid pending a variation order), a mine, a retailer
 * whose store fit-outs are invoiced per store (one under a snag dispute), a school that pays in two
 * instalments and a lodge group in Botswana invoiced in US dollars; cement, steel, plant hire, a
 * subcontractor and the utility bill, mostly paid in fortnightly runs; and the two-monthly VAT
 * returns. As of today the aged receivables and payables have amounts in every bucket.
 */
function demoCompanyTrade(today: string): TradePlan {
  const plan = new PlanBuilder(today);
  // Trading starts a few days after the journal's first day (share capital, plant).
  const span = daysBetween(day(monthStart(today, 11), 1), today) - 4;
  /**
   * Every `every` days from `newest` days ago back to the start, newest first (so the recent
   * documents draw the same amounts whatever the day of the month), numbered from the first.
   */
  const schedule = (newest: number, every: number): [number, number][] => {
    const offsets: number[] = [];
    for (let offset = newest; offset <= span; offset += every) offsets.push(offset);
    return offsets.map((offset, i) => [offsets.length - i, offset]);
  };

  // ---- Customers ----
  plan.party({
    kind: 'customer',
    runEveryDays: 14,
    runPhase: 2,
    input: {
      code: 'SRPD',
      name: 'Sandton Ridge Property Developers (Pty) Ltd',
      taxNumber: '4210187334',
      paymentTermsDays: 30,
      creditLimit: { amount: '2500000.00', currency: 'ZAR' },
      email: 'accounts@sandtonridge.example',
      billingAddress: za('14 Fredman Drive', 'Sandton', 'Gauteng', '2196'),
    },
  });
  plan.party({
    kind: 'customer',
    runEveryDays: 30,
    runPhase: 7,
    input: {
      code: 'MAGALIES',
      name: 'Magaliesvlei Local Municipality',
      taxNumber: '4650123987',
      paymentTermsDays: 60,
      creditLimit: { amount: '2500000.00', currency: 'ZAR' },
      email: 'creditors@magaliesvlei.gov.example',
      billingAddress: za('Civic Centre, 1 Market Street', 'Magaliesburg', 'Gauteng', '1791'),
    },
  });
  plan.party({
    kind: 'customer',
    input: {
      code: 'KOPANO',
      name: 'Kopano Platinum Mines Ltd',
      taxNumber: '4470201556',
      paymentTermsDays: 45,
      creditLimit: { amount: '2000000.00', currency: 'ZAR' },
      email: 'payables@kopanoplatinum.example',
      billingAddress: za('Private Bag X1021', 'Rustenburg', 'North West', '0300'),
    },
  });
  plan.party({
    kind: 'customer',
    input: {
      code: 'FRESHB',
      name: 'FreshBasket Stores (Pty) Ltd',
      taxNumber: '4020339871',
      paymentTermsDays: 30,
      creditLimit: { amount: '1200000.00', currency: 'ZAR' },
      email: 'ap@freshbasket.example',
      billingAddress: za('Unit 4, Montague Business Park', 'Cape Town', 'Western Cape', '7441'),
    },
  });
  // A public school's governing body: not registered for VAT.
  plan.party({
    kind: 'customer',
    input: {
      code: 'GREENSIDE',
      name: 'Greenside Park High School',
      paymentTermsDays: 30,
      creditLimit: { amount: '400000.00', currency: 'ZAR' },
      email: 'bursar@greensidepark.example',
      billingAddress: za('23 Gleneagles Road', 'Johannesburg', 'Gauteng', '2193'),
    },
  });
  plan.party({
    kind: 'customer',
    input: {
      code: 'SAVANNA',
      name: 'Savanna Lodges (Pty) Ltd',
      taxNumber: 'P03012345678',
      currency: 'USD',
      paymentTermsDays: 30,
      creditLimit: { amount: '150000.00', currency: 'USD' },
      email: 'finance@savannalodges.example',
      billingAddress: {
        line1: 'Plot 1234, President Avenue',
        city: 'Kasane',
        region: 'Chobe',
        country: 'BW',
      },
    },
  });

  // ---- Suppliers ----
  const supplier = (
    code: string,
    name: string,
    taxNumber: string,
    paymentTermsDays: number,
    email: string,
    address: ReturnType<typeof za>,
    runs = true,
  ) =>
    plan.party({
      kind: 'supplier',
      ...(runs ? { runEveryDays: 14, runPhase: 4 } : {}),
      input: { code, name, taxNumber, paymentTermsDays, email, billingAddress: address },
    });
  supplier(
    'HVCEMENT',
    'Highveld Cement & Aggregates (Pty) Ltd',
    '4190223310',
    30,
    'accounts@highveldcement.example',
    za('Old Vereeniging Road', 'Alberton', 'Gauteng', '1449'),
  );
  supplier(
    'VAALSTEEL',
    'Vaal Reinforcing Steel (Pty) Ltd',
    '4330876512',
    30,
    'debtors@vaalsteel.example',
    za('7 Smelter Street', 'Vanderbijlpark', 'Gauteng', '1911'),
  );
  supplier(
    'GPLANT',
    'Gauteng Plant Hire (Pty) Ltd',
    '4780114523',
    30,
    'hire@gautengplant.example',
    za('22 Refinery Road', 'Germiston', 'Gauteng', '1401'),
  );
  supplier(
    'MTHEMBU',
    'Mthembu Electrical & Plumbing CC',
    '4550982216',
    30,
    'office@mthembu-ep.example',
    za('1180 Vilakazi Street', 'Soweto', 'Gauteng', '1804'),
  );
  // Paid by debit order on the due date.
  supplier(
    'METROPW',
    'Metro Power & Water',
    '4500432187',
    14,
    'billing@metropower.example',
    za('Metro Centre, 158 Civic Boulevard', 'Braamfontein', 'Gauteng', '2001'),
    false,
  );

  // ---- Dollar rates (ZAR per USD), weekly ----
  const rates = draws(1);
  let usd = 18.35;
  for (let offset = span; offset >= 0; offset -= 7) {
    plan.rate(offset, 'USD', usd.toFixed(4));
    usd = Math.min(19.6, Math.max(17.1, usd + rates.between(-0.16, 0.16)));
  }

  // ---- Invoices and credit notes ----
  const srpd = draws(2);
  for (const [n, offset] of schedule(22, 30)) {
    const works = srpd.between(380_000, 560_000);
    const key = `SRPD-${n}`;
    plan.document(
      offset,
      {
        kind: 'invoice',
        key,
        party: 'SRPD',
        reference: `Sandton Ridge phase 2, claim ${n}`,
        lines: [
          line(`Progress claim ${n}: structural works`, '4100', 1, money(works)),
          line('Preliminaries and general', '4100', 1, money(works * srpd.between(0.07, 0.09))),
        ],
      },
      [srpd.late(4, 12)],
    );
    if (offset === 232)
      plan.document(offset - 18, {
        kind: 'credit_note',
        key: 'SRPD-CN',
        party: 'SRPD',
        corrects: key,
        memo: 'Slab area re-measured by the quantity surveyor',
        lines: [line(`Claim ${n}: over-measured slab area`, '4100', 1, money(works * 0.06))],
      });
  }
  const mlm = draws(3);
  for (const [n, offset] of schedule(15, 30)) {
    const lines = [
      line(
        `Road resurfacing, ward ${11 + (n % 4)}: km`,
        '4100',
        mlm.between(1.2, 2.6).toFixed(1),
        '148500.00',
      ),
    ];
    if (n % 3 === 1) lines.push(line('Stormwater culverts, metre', '4100', mlm.whole(40, 90), '1875.00'));
    // A certificate with a variation order still before council: 70 % paid, the rest held back.
    const disputed = offset === 165;
    plan.document(
      offset,
      {
        kind: 'invoice',
        key: `MAGALIES-${n}`,
        party: 'MAGALIES',
        reference: `Tender MLM/2026/014, certificate ${n}`,
        memo: disputed ? 'Variation order 3 awaiting council approval' : undefined,
        lines,
      },
      [disputed ? { share: '0.7', late: mlm.whole(33, 38) } : mlm.late(33, 38)],
    );
  }
  const kopano = draws(4);
  for (const [n, offset] of schedule(40, 45))
    plan.document(
      offset,
      {
        kind: 'invoice',
        key: `KOPANO-${n}`,
        party: 'KOPANO',
        reference: `PO 45100${7720 + n}`,
        lines: [
          line(
            `Shaft 4 change house refurbishment: claim ${n}`,
            '4100',
            1,
            money(kopano.between(330_000, 480_000)),
          ),
          line('Site establishment and safety file', '4100', 1, money(kopano.between(18_000, 32_000))),
        ],
      },
      [kopano.late(-4, 3)],
    );
  const fresh = draws(5);
  for (const [offset, store] of [
    [300, 'Fourways'],
    [240, 'Midrand'],
    [180, 'Boksburg'],
    [105, 'Kempton Park'],
    [48, 'Centurion'],
    [10, 'Benoni'],
  ] as const) {
    const key = `FRESHB-${store}`;
    const joinery = fresh.between(90_000, 150_000);
    // The Kempton Park snag list is disputed: nothing paid yet.
    const disputed = store === 'Kempton Park';
    plan.document(
      offset,
      {
        kind: 'invoice',
        key,
        party: 'FRESHB',
        reference: `Store fit-out, ${store}`,
        memo: disputed ? 'Snag list disputed by the store manager' : undefined,
        lines: [
          line(`Shopfitting and joinery, ${store}`, '4100', 1, money(joinery)),
          line('Electrical and lighting', '4100', 1, money(fresh.between(30_000, 60_000))),
          line('Vinyl flooring, m²', '4100', fresh.whole(180, 320), '245.00'),
        ],
      },
      disputed ? [] : [fresh.late(8, 20)],
    );
    if (store === 'Boksburg')
      plan.document(offset - 30, {
        kind: 'credit_note',
        key: 'FRESHB-CN',
        party: 'FRESHB',
        corrects: key,
        memo: 'Snag items not completed',
        lines: [line('Shopfitting snag items, Boksburg', '4100', 1, money(joinery * 0.08))],
      });
  }
  const school = draws(6);
  for (const [i, offset] of [290, 210, 130, 70, 25].entries())
    plan.document(
      offset,
      {
        kind: 'invoice',
        key: `GREENSIDE-${i + 1}`,
        party: 'GREENSIDE',
        reference: `New classroom block, claim ${i + 1}`,
        lines: [
          line(`Classroom block: progress claim ${i + 1}`, '4100', 1, money(school.between(70_000, 140_000))),
        ],
      },
      // Half on time, the rest some seven weeks later.
      [
        { share: '0.5', late: school.whole(3, 8) },
        { share: 'rest', late: school.whole(45, 52) },
      ],
    );
  const savanna = draws(7);
  for (const [i, offset] of [270, 200, 130, 65, 33].entries())
    plan.document(
      offset,
      {
        kind: 'invoice',
        key: `SAVANNA-${i + 1}`,
        party: 'SAVANNA',
        reference: `Chobe River Lodge refurbishment, claim ${i + 1}`,
        // Building work on a site in Botswana is an export of services: zero-rated.
        lines: [
          line(
            `Lodge refurbishment: progress claim ${i + 1}`,
            '4100',
            1,
            money(savanna.between(9_000, 18_000)),
            'ZERO',
          ),
        ],
      },
      [savanna.late(8, 14)],
    );

  // ---- Bills: one a month from each supplier ----
  const monthlyBills = (
    party: string,
    prefix: string,
    newest: number,
    salt: number,
    lines: (d: Draws, n: number) => DocumentLineInput[],
    payment: {
      late: [number, number];
      /** A bill under query: part of it paid (`paid`), or none of it. */
      query?: { offset: number; memo: string; paid?: string };
    },
  ) => {
    const d = draws(salt);
    for (const [n, offset] of schedule(newest, 30)) {
      const query = payment.query?.offset === offset ? payment.query : undefined;
      plan.document(
        offset,
        {
          kind: 'bill',
          key: `${party}-${n}`,
          party,
          reference: `${prefix}-${24_480 + 37 * n}`,
          memo: query?.memo,
          lines: lines(d, n),
        },
        !query
          ? [d.late(...payment.late)]
          : query.paid
            ? [{ share: query.paid, late: d.whole(...payment.late) }]
            : [],
      );
    }
  };
  monthlyBills(
    'HVCEMENT',
    'HC',
    26,
    8,
    (d) => [
      line('Cement CEM II 42.5N, 50 kg bags', '5100', d.whole(600, 1_100), '98.50'),
      line('Ready-mix concrete 25 MPa, m³', '5100', d.whole(30, 60), '1650.00'),
      line('Building sand, m³', '5100', d.whole(20, 45), '420.00'),
    ],
    { late: [0, 6], query: { offset: 146, memo: 'Short delivery of 120 bags under query', paid: '0.7' } },
  );
  // The steel merchant is paid three weeks late.
  monthlyBills(
    'VAALSTEEL',
    'VRS',
    18,
    9,
    (d) => [
      line('Y12 rebar, tonnes', '5100', d.between(3.5, 6.5).toFixed(1), '17850.00'),
      line('Y16 rebar, tonnes', '5100', d.between(1.5, 4).toFixed(1), '17600.00'),
      line('Mesh ref 245, sheets', '5100', d.whole(40, 110), '685.00'),
    ],
    { late: [19, 26] },
  );
  monthlyBills(
    'GPLANT',
    'GPH',
    12,
    10,
    (d) => [
      line('TLB hire with operator, days', '5300', d.whole(15, 22), '2350.00'),
      line('Tipper truck hire, days', '5300', d.whole(10, 20), '2900.00'),
      line('Smooth drum roller hire, days', '5300', d.whole(5, 12), '1850.00'),
    ],
    {
      late: [0, 6],
      query: { offset: 102, memo: 'TLB breakdown days charged as hire: credit requested', paid: '0.6' },
    },
  );
  monthlyBills(
    'MTHEMBU',
    'MEP',
    22,
    11,
    (d, n) => [
      line(`Electrical installation: progress ${n}`, '5200', 1, money(d.between(130_000, 230_000))),
      line(`Plumbing and drainage: progress ${n}`, '5200', 1, money(d.between(90_000, 170_000))),
    ],
    { late: [0, 6], query: { offset: 82, memo: 'Held: electrical compliance certificate outstanding' } },
  );
  // Paid by debit order on the due date.
  monthlyBills(
    'METROPW',
    'MPW',
    15,
    12,
    (d) => [
      line('Electricity, site offices and yard, kWh', '6150', d.whole(2_800, 4_200), '2.1850'),
      line('Water and sanitation, kl', '6150', d.whole(60, 110), '38.40'),
    ],
    { late: [0, 0] },
  );

  // ---- VAT returns: two-month periods from the first month, paid on the 25th of the next ----
  for (let back = 11; back >= 1; back -= 2) {
    const end = monthStart(today, back - 1);
    plan.vatReturn(
      day(monthStart(today, back), 1),
      day(end, new Date(Date.UTC(end.year, end.month, 0)).getUTCDate()),
      day(monthStart(today, back - 2), 25),
    );
  }
  return plan.build();
}

/** A few euro invoices and bills for acme: consulting, with no VAT codes of its own (zero-rated). */
function acmeTrade(today: string): TradePlan {
  const plan = new PlanBuilder(today);
  const de = (line1: string, city: string, postalCode: string) => ({
    line1,
    city,
    postalCode,
    country: 'DE',
  });
  plan.party({
    kind: 'customer',
    input: {
      code: 'RHEINWERK',
      name: 'Rheinwerk Bau GmbH',
      taxNumber: 'DE284761932',
      paymentTermsDays: 30,
      creditLimit: { amount: '120000.00', currency: 'EUR' },
      email: 'buchhaltung@rheinwerk-bau.example',
      billingAddress: de('Kaistraße 18', 'Düsseldorf', '40221'),
    },
  });
  plan.party({
    kind: 'customer',
    input: {
      code: 'MUELLER',
      name: 'Müller & Söhne Projektentwicklung KG',
      taxNumber: 'DE311458207',
      paymentTermsDays: 14,
      creditLimit: { amount: '60000.00', currency: 'EUR' },
      email: 'rechnungen@mueller-soehne.example',
      billingAddress: de('Am Sandtorkai 41', 'Hamburg', '20457'),
    },
  });
  plan.party({
    kind: 'supplier',
    input: {
      code: 'NORDLICHT',
      name: 'Nordlicht IT-Services GmbH',
      taxNumber: 'DE298114730',
      paymentTermsDays: 14,
      email: 'billing@nordlicht-it.example',
      billingAddress: de('Friedrichstraße 68', 'Berlin', '10117'),
    },
  });
  plan.party({
    kind: 'supplier',
    input: {
      code: 'SCHMIDT',
      name: 'Steuerbüro Schmidt & Partner',
      taxNumber: 'DE187665021',
      paymentTermsDays: 30,
      email: 'kanzlei@schmidt-partner.example',
      billingAddress: de('Königsallee 12', 'Düsseldorf', '40212'),
    },
  });
  const service = (description: string, quantity: number | string, price: string) =>
    line(description, '4200', quantity, price, 'ZERO');
  plan.document(
    24,
    {
      kind: 'invoice',
      key: 'RHEINWERK-0',
      party: 'RHEINWERK',
      reference: 'Bestellung 4711-22',
      lines: [service('Consulting services: site logistics review', 1, '18500.00')],
    },
    // Paid early, six days ago.
    [{ share: 'rest', late: -12 }],
  );
  plan.document(16, {
    kind: 'invoice',
    key: 'MUELLER-0',
    party: 'MUELLER',
    reference: 'Quartier am Hafen',
    lines: [
      service('Feasibility study, Quartier am Hafen', 1, '9800.00'),
      service('Travel to site', 1, '640.00'),
    ],
  });
  plan.document(4, {
    kind: 'invoice',
    key: 'RHEINWERK-1',
    party: 'RHEINWERK',
    reference: 'Bestellung 4711-31',
    lines: [service('Project controls workshop, days', 2, '1450.00')],
  });
  const it = (k: number) => ({
    kind: 'bill' as const,
    key: `NORDLICHT-${k}`,
    party: 'NORDLICHT',
    reference: `NL-2026-${String(3_310 + k * 412)}`,
    lines: [
      line('Cloud workspace licences', '6200', 12, '38.50', 'ZERO'),
      line('IT support, monthly', '6650', 1, '890.00', 'ZERO'),
    ],
  });
  plan.document(26, it(0), [{ share: 'rest', late: 0 }]);
  plan.document(3, it(1));
  plan.document(18, {
    kind: 'bill',
    key: 'SCHMIDT-0',
    party: 'SCHMIDT',
    reference: 'RE 2026-0917',
    lines: [line('Bookkeeping and payroll, month', '6450', 1, '1650.00', 'ZERO')],
  });
  return plan.build();
}

interface Booked {
  id: string;
  gross: Dec;
  outstanding: Dec;
}

async function carryOut(trx: Tx, actor: AuditActor, plan: TradePlan, firstDay: string): Promise<number> {
  const parties = new Map<string, { id: string; currency: string }>();
  for (const p of plan.parties) {
    const party = await createParty(trx, actor, p.kind, p.input);
    parties.set(party.code, { id: party.id, currency: party.currency });
  }
  const partyOf = (code: string) => {
    const party = parties.get(code);
    if (!party) throw new Error(`No demo party ${code}.`);
    return party;
  };
  const documents = new Map<string, Booked>();
  const vatPayable = new Map<string, { amount: Dec; currency: string }>();
  let created = 0;
  for (const step of plan.steps) {
    if (step.type === 'rate') {
      await addExchangeRate(trx, actor, { currency: step.currency, date: step.date, rate: step.rate });
    } else if (step.type === 'document') {
      const corrected = step.corrects ? documents.get(step.corrects) : undefined;
      const draft = await createDocument(trx, actor, step.kind, {
        issueDate: step.date,
        party: partyOf(step.party).id,
        reference: step.reference,
        memo: step.memo,
        corrects: corrected?.id,
        lines: step.lines,
      });
      const issued = await issueDocument(trx, actor, step.kind, draft.id);
      const gross = new Decimal(issued.gross.amount);
      documents.set(step.key, { id: issued.id, gross, outstanding: gross });
      if (corrected) corrected.outstanding = corrected.outstanding.minus(gross);
      created++;
    } else if (step.type === 'settlement') {
      const party = partyOf(step.party);
      const scale = minorUnits(party.currency);
      const allocations = step.allocations.flatMap((a) => {
        const doc = documents.get(a.document);
        if (!doc) throw new Error(`Demo document ${a.document} is settled before it is issued.`);
        const amount =
          a.share === 'rest'
            ? doc.outstanding
            : Decimal.min(
                doc.outstanding,
                doc.gross.times(a.share).toDecimalPlaces(scale, Decimal.ROUND_HALF_UP),
              );
        doc.outstanding = doc.outstanding.minus(amount);
        return amount.greaterThan(0) ? [{ documentId: doc.id, amount: amount.toFixed(scale) }] : [];
      });
      if (allocations.length === 0) continue;
      const total = allocations.reduce((sum, a) => sum.plus(a.amount), new Decimal(0));
      const draft = await createSettlement(trx, actor, step.kind, {
        date: step.date,
        party: party.id,
        amount: { amount: total.toFixed(scale), currency: party.currency },
        reference: step.reference,
        allocations,
      });
      await postSettlement(trx, actor, step.kind, draft.id);
      created++;
    } else if (step.type === 'vat-return') {
      vatPayable.set(step.from, await fileVatReturn(trx, actor, step, firstDay));
    } else {
      await payVat(trx, actor, step, vatPayable.get(step.from));
    }
  }
  return created;
}

/**
 * Clears the VAT accounts as they stand on the period's last day (the previous return cleared
 * everything before it) to the amount payable to SARS (negative: a refund due).
 */
async function fileVatReturn(
  trx: Tx,
  actor: AuditActor,
  step: VatReturnStep,
  firstDay: string,
): Promise<{ amount: Dec; currency: string }> {
  const tb = await trialBalance(trx, firstDay, step.date);
  const balance = (account: string) => new Decimal(tb.rows.find((r) => r.account === account)?.balance ?? 0);
  const output = balance('2100').negated();
  const input = balance('1300');
  const payable = output.minus(input);
  const side = (account: string, amount: Dec) =>
    amount.isZero()
      ? []
      : [
          amount.isPositive()
            ? { account, credit: amount.toFixed(4) }
            : { account, debit: amount.negated().toFixed(4) },
        ];
  await postEntry(trx, actor, {
    date: step.date,
    memo: `VAT return ${step.from.slice(0, 7)} to ${step.date.slice(0, 7)}`,
    currency: tb.currency,
    lines: [...side('2100', output.negated()), ...side('1300', input), ...side('2150', payable)],
    source: { type: 'demo', id: `vat-return-${step.from}` },
    allowControlAccounts: true,
  });
  return { amount: payable, currency: tb.currency };
}

/** Pays SARS what a return found payable on the 25th of the next month, or books the refund. */
async function payVat(
  trx: Tx,
  actor: AuditActor,
  step: VatPaymentStep,
  payable: { amount: Dec; currency: string } | undefined,
): Promise<void> {
  if (!payable || payable.amount.isZero()) return;
  const amount = payable.amount.abs().toFixed(4);
  const refund = payable.amount.isNegative();
  await postEntry(trx, actor, {
    date: step.date,
    memo: `VAT ${refund ? 'refunded by' : 'paid to'} SARS for the return from ${step.from.slice(0, 7)}`,
    currency: payable.currency,
    lines: [
      { account: '2150', ...(refund ? { credit: amount } : { debit: amount }) },
      { account: '1000', ...(refund ? { debit: amount } : { credit: amount }) },
    ],
    source: { type: 'demo', id: `vat-payment-${step.from}` },
  });
}

/**
 * Customers and suppliers, a year of invoices, credit notes, bills, receipts and payments for the
 * demo tenant (ZAR, with one customer in US dollars) and a few euro documents for acme, all through
 * the accounting module's own services, so they post to the ledger as a clerk's would. Dates count
 * back from today in the tenant's time zone. A tenant that has customers or suppliers already is
 * left alone, and each tenant's trade is created in one transaction, so running it again (or
 * after a crash) changes nothing. Returns how many documents, receipts and payments it created.
 */
export async function seedDemoTrade(db: Db): Promise<number> {
  let created = 0;
  for (const tenant of DEMO_TENANTS) {
    const today = todayIn(tenant.timeZone);
    const actor = { ...DEMO_ACTOR, tenantId: tenant.id };
    created += await withTenant(db, tenant.id, async (trx) => {
      for (const kind of ['customer', 'supplier'] as const)
        if ((await listParties(trx, kind, { limit: 1 })).items.length > 0) return 0;
      await setUpBooks(trx, tenant.id, tenant.baseCurrency);
      const plan = tenant.baseCurrency === 'ZAR' ? demoCompanyTrade(today) : acmeTrade(today);
      return carryOut(trx, actor, plan, day(monthStart(today, 11), 1));
    });
  }
  return created;
}
