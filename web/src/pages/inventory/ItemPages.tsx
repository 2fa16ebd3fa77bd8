import {
  Button,
  Dropdown,
  Field,
  Input,
  Option,
  SearchBox,
  Subtitle2,
  Textarea,
  Title2,
} from '@fluentui/react-components';
import { AddRegular } from '@fluentui/react-icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useMemo, useState } from 'react';
import { FormattedMessage, useIntl } from 'react-intl';
import { Link, useNavigate, useParams } from 'react-router';
import { fieldErrorsOf, type Page } from '../../api/client';
import { useApi } from '../../api/ApiProvider';
import { useTenant } from '../../api/useTenant';
import { accountingKeys, inventoryKeys } from '../../api/keys';
import type { Item, ItemInput, ItemKind, TaxCode } from '../../api/types';
import { useCursorList } from '../../api/useCursorList';
import { useRoles } from '../../auth/AuthProvider';
import { can } from '../../auth/roles';
import { DocumentsPanel } from '../../components/DocumentsPanel';
import { ResourceGrid, type GridColumn } from '../../components/ResourceGrid';
import { ErrorState, Loading } from '../../components/States';
import { useUnsavedChangesGuard } from '../../components/UnsavedChangesGuard';
import { isDecimalText } from '../../format/decimal';
import { useFormat } from '../../format/useFormat';
import { useFormStyles } from '../sales/CustomerForm';
import { usePageStyles } from '../sales/QuotesPage';
import {
  ActiveField,
  ActiveFilter,
  FormActions,
  FormHeading,
  SaveErrorBar,
  activeColumn,
  useFormErrorText,
  type ActiveChoice,
  type FormErrorKind,
} from './formParts';
import { StockGrid } from './StockPage';

const kindLabels = {
  stock: { id: 'item.kind.stock', defaultMessage: 'Stock item' },
  service: { id: 'item.kind.service', defaultMessage: 'Service' },
} as const;

/** `/inventory/items`: every item by SKU, with search, kind and active filters. */
export function ItemsPage() {
  const styles = usePageStyles();
  const intl = useIntl();
  const format = useFormat();
  const navigate = useNavigate();
  const roles = useRoles();
  const [text, setText] = useState('');
  const [search, setSearch] = useState('');
  const [kind, setKind] = useState<ItemKind | ''>('');
  const [active, setActive] = useState<ActiveChoice>('true');
  useEffect(() => {
    const timer = setTimeout(() => setSearch(text.trim()), 300);
    return () => clearTimeout(timer);
  }, [text]);
  const filters = { search: search || undefined, kind: kind || undefined, active: active || undefined };
  const list = useCursorList<Item>(inventoryKeys.itemList(filters), 'v1/inventory/items', filters);
  const columns = useMemo<GridColumn<Item>[]>(
    () => [
      {
        id: 'sku',
        header: intl.formatMessage({ id: 'stock.sku', defaultMessage: 'SKU' }),
        value: (i) => i.sku,
        render: (i) => <Link to={`/inventory/items/${i.id}`}>{i.sku}</Link>,
        width: 150,
      },
      {
        id: 'name',
        header: intl.formatMessage({ id: 'item.name', defaultMessage: 'Name' }),
        value: (i) => i.name,
        width: 280,
      },
      {
        id: 'kind',
        header: intl.formatMessage({ id: 'item.kind', defaultMessage: 'Kind' }),
        value: (i) => intl.formatMessage(kindLabels[i.kind]),
        width: 110,
      },
      {
        id: 'uom',
        header: intl.formatMessage({ id: 'stock.uom', defaultMessage: 'Unit' }),
        value: (i) => i.uom,
        width: 80,
      },
      {
        id: 'price',
        header: intl.formatMessage({ id: 'item.salesPrice', defaultMessage: 'Sales price' }),
        value: (i) => Number(i.salesPrice.amount),
        render: (i) => format.money(i.salesPrice),
        exportValue: (i) => i.salesPrice.amount,
        numeric: true,
        width: 140,
      },
      {
        id: 'tax',
        header: intl.formatMessage({ id: 'quote.line.tax', defaultMessage: 'Tax' }),
        value: (i) => i.taxCode,
        width: 90,
      },
      {
        id: 'reorder',
        header: intl.formatMessage({ id: 'item.reorderLevel', defaultMessage: 'Reorder level' }),
        value: (i) => (i.reorderLevel === null ? null : Number(i.reorderLevel)),
        render: (i) => (i.reorderLevel === null ? '—' : format.quantity(i.reorderLevel)),
        exportValue: (i) => i.reorderLevel ?? '',
        numeric: true,
        width: 130,
      },
      activeColumn(
        intl.formatMessage({ id: 'item.active', defaultMessage: 'Active' }),
        intl.formatMessage({ id: 'item.inactive', defaultMessage: 'Deactivated' }),
        (i) => i.active,
      ),
    ],
    [intl, format],
  );
  const all = intl.formatMessage({ id: 'filter.all', defaultMessage: 'All' });
  return (
    <div className={styles.page}>
      <div className={styles.heading}>
        <Title2 as="h1">
          <FormattedMessage id="nav.items" defaultMessage="Items" />
        </Title2>
        <span className={styles.spacer} />
        {can.manageInventory(roles) && (
          <Button
            appearance="primary"
            icon={<AddRegular />}
            onClick={() => void navigate('/inventory/items/new')}
          >
            <FormattedMessage id="item.newButton" defaultMessage="New item" />
          </Button>
        )}
      </div>
      <ResourceGrid<Item>
        label={intl.formatMessage({ id: 'nav.items', defaultMessage: 'Items' })}
        exportName="items"
        columns={columns}
        getRowId={(i) => i.id}
        onRowActivate={(i) => void navigate(`/inventory/items/${i.id}`)}
        empty={<FormattedMessage id="item.empty" defaultMessage="No items match." />}
        filters={
          <>
            <Field label={intl.formatMessage({ id: 'item.search', defaultMessage: 'SKU or name' })}>
              <SearchBox value={text} onChange={(_, data) => setText(data.value)} />
            </Field>
            <Field label={intl.formatMessage({ id: 'item.kind', defaultMessage: 'Kind' })}>
              <Dropdown
                value={kind ? intl.formatMessage(kindLabels[kind]) : all}
                selectedOptions={[kind]}
                onOptionSelect={(_, data) => setKind((data.optionValue ?? '') as ItemKind | '')}
              >
                <Option value="">{all}</Option>
                <Option value="stock">{intl.formatMessage(kindLabels.stock)}</Option>
                <Option value="service">{intl.formatMessage(kindLabels.service)}</Option>
              </Dropdown>
            </Field>
            <ActiveFilter
              value={active}
              onChange={setActive}
              activeLabel={intl.formatMessage({ id: 'item.filterActive', defaultMessage: 'Active items' })}
              inactiveLabel={intl.formatMessage({
                id: 'item.filterInactive',
                defaultMessage: 'Deactivated items',
              })}
            />
          </>
        }
        {...list}
      />
    </div>
  );
}

/** `/inventory/items/new` and `/inventory/items/:id`: the item, its stock per warehouse and its documents. */
export function ItemPage() {
  const { id } = useParams();
  const api = useApi();
  const tenant = useTenant();
  const item = useQuery({
    queryKey: inventoryKeys.item(id ?? 'new'),
    queryFn: ({ signal }) => api.get<Item>(`v1/inventory/items/${id}`, { signal }),
    enabled: id !== undefined,
  });
  const styles = usePageStyles();
  if (tenant.isPending || (id !== undefined && item.isPending)) return <Loading />;
  if (tenant.isError) return <ErrorState error={tenant.error} onRetry={() => void tenant.refetch()} />;
  if (item.isError) return <ErrorState error={item.error} onRetry={() => void item.refetch()} />;
  return (
    <div className={styles.page}>
      <ItemForm key={id ?? 'new'} item={item.data} baseCurrency={tenant.data.baseCurrency} />
      {item.data?.kind === 'stock' && (
        <section className={styles.page}>
          <Subtitle2 as="h2">
            <FormattedMessage id="stock.grid" defaultMessage="Stock per warehouse" />
          </Subtitle2>
          <StockGrid itemId={item.data.id} />
        </section>
      )}
      {item.data && <DocumentsPanel recordType="item" recordId={item.data.id} />}
    </div>
  );
}

interface ItemDraft {
  sku: string;
  name: string;
  description: string;
  uom: string;
  kind: ItemKind;
  price: string;
  taxCode: string;
  reorderLevel: string;
  active: boolean;
}

const draftOf = (item: Item | undefined): ItemDraft => ({
  sku: item?.sku ?? '',
  name: item?.name ?? '',
  description: item?.description ?? '',
  uom: item?.uom ?? '',
  kind: item?.kind ?? 'stock',
  price: item?.salesPrice.amount ?? '',
  taxCode: item?.taxCode ?? 'VAT15',
  reorderLevel: item?.reorderLevel ?? '',
  active: item?.active ?? true,
});

/** Every field as the API takes it; blank optional fields are null. */
function fullInput(d: ItemDraft, currency: string): ItemInput {
  return {
    name: d.name.trim(),
    description: d.description.trim() || null,
    uom: d.uom.trim(),
    salesPrice: { amount: d.price.trim(), currency },
    taxCode: d.taxCode,
    reorderLevel: d.kind === 'stock' ? d.reorderLevel.trim() || null : null,
  };
}

function validateItem(d: ItemDraft, isNew: boolean): Record<string, FormErrorKind> {
  const errors: Record<string, FormErrorKind> = {};
  if (isNew) {
    if (!d.sku.trim()) errors.sku = 'required';
    else if (!/^[0-9A-Z][0-9A-Z._/-]{0,39}$/.test(d.sku.trim().toUpperCase())) errors.sku = 'sku';
  }
  if (!d.name.trim()) errors.name = 'required';
  if (!/^[a-z][a-z0-9]{0,11}$/.test(d.uom.trim())) errors.uom = d.uom.trim() ? 'uom' : 'required';
  if (!isDecimalText(d.price)) errors['salesPrice.amount'] = d.price.trim() ? 'amount' : 'required';
  if (!d.taxCode) errors.taxCode = 'required';
  if (d.reorderLevel.trim() && !isDecimalText(d.reorderLevel)) errors.reorderLevel = 'amount';
  return errors;
}

function ItemForm({ item, baseCurrency }: { item: Item | undefined; baseCurrency: string }) {
  const styles = useFormStyles();
  const intl = useIntl();
  const api = useApi();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const formErrorText = useFormErrorText();
  const editable = can.manageInventory(useRoles());
  const isNew = !item;
  const currency = item?.salesPrice.currency ?? baseCurrency;
  const taxCodes = useQuery({
    queryKey: accountingKeys.taxCodes(),
    queryFn: ({ signal }) => api.get<Page<TaxCode>>('v1/accounting/tax-codes', { signal }),
    staleTime: 5 * 60_000,
  });

  const initial = useMemo(() => draftOf(item), [item]);
  const [draft, setDraft] = useState(initial);
  const [basis, setBasis] = useState(initial);
  const [submitted, setSubmitted] = useState(false);
  const [serverError, setServerError] = useState<unknown>();
  if (basis !== initial) {
    setBasis(initial);
    setDraft(initial);
    setSubmitted(false);
  }

  const patch = useMemo(() => {
    const now = fullInput(draft, currency);
    const before = fullInput(initial, currency);
    const changes: ItemInput = {};
    for (const key of Object.keys(now) as (keyof ItemInput)[])
      if (JSON.stringify(now[key]) !== JSON.stringify(before[key]))
        (changes as Record<string, unknown>)[key] = now[key];
    if (draft.active !== initial.active) changes.active = draft.active;
    return changes;
  }, [draft, initial, currency]);
  const dirty = editable && Object.keys(patch).length > 0;
  const guard = useUnsavedChangesGuard(dirty || (isNew && (draft.sku !== '' || draft.kind !== initial.kind)));

  const clientErrors = useMemo(() => validateItem(draft, isNew), [draft, isNew]);
  const serverFieldErrors = fieldErrorsOf(serverError);
  const errorFor = (path: string) => {
    const client = submitted ? clientErrors[path] : undefined;
    return client ? formErrorText(client) : serverFieldErrors[path];
  };

  const save = useMutation({
    mutationFn: () => {
      if (item) return api.patch<Item>(`v1/inventory/items/${item.id}`, patch, item.version);
      const body = fullInput(draft, currency);
      return api.post<Item>('v1/inventory/items', {
        sku: draft.sku.trim().toUpperCase(),
        kind: draft.kind,
        name: body.name,
        description: body.description ?? undefined,
        uom: body.uom,
        salesPrice: body.salesPrice,
        taxCode: body.taxCode,
        reorderLevel: body.reorderLevel ?? undefined,
      } satisfies ItemInput);
    },
    onMutate: () => setServerError(undefined),
    onSuccess: (saved) => {
      queryClient.setQueryData(inventoryKeys.item(saved.id), saved);
      void queryClient.invalidateQueries({ queryKey: inventoryKeys.items(), refetchType: 'none' });
      if (isNew) {
        guard.allowLeaving();
        void navigate(`/inventory/items/${saved.id}`, { replace: true });
      }
    },
    onError: setServerError,
  });

  const set = <K extends keyof ItemDraft>(field: K, value: ItemDraft[K]) =>
    setDraft((d) => ({ ...d, [field]: value }));
  const input = (
    field: 'sku' | 'name' | 'uom' | 'price' | 'reorderLevel',
    label: string,
    options: { path?: string; required?: boolean; readOnly?: boolean; hint?: string; decimal?: boolean } = {},
  ) => (
    <Field
      label={label}
      required={options.required}
      hint={options.hint}
      validationMessage={errorFor(options.path ?? field)}
    >
      <Input
        value={draft[field]}
        readOnly={!editable || options.readOnly}
        inputMode={options.decimal ? 'decimal' : undefined}
        onChange={(_, data) => set(field, data.value)}
      />
    </Field>
  );

  const title = item
    ? intl.formatMessage({ id: 'item.title', defaultMessage: 'Item {sku}' }, { sku: item.sku })
    : intl.formatMessage({ id: 'item.new', defaultMessage: 'New item' });
  return (
    <form
      className={styles.root}
      noValidate
      aria-label={title}
      onSubmit={(event) => {
        event.preventDefault();
        setSubmitted(true);
        if (Object.keys(clientErrors).length === 0) save.mutate();
      }}
    >
      <FormHeading
        title={title}
        inactiveLabel={
          item && !item.active
            ? intl.formatMessage({ id: 'item.inactive', defaultMessage: 'Deactivated' })
            : undefined
        }
        dirty={dirty}
      />
      {serverError !== undefined && (
        <SaveErrorBar
          error={serverError}
          onReload={
            item
              ? () => {
                  setServerError(undefined);
                  void queryClient.invalidateQueries({ queryKey: inventoryKeys.item(item.id) });
                }
              : undefined
          }
        />
      )}
      <div className={styles.grid}>
        {input('sku', intl.formatMessage({ id: 'stock.sku', defaultMessage: 'SKU' }), {
          required: isNew,
          readOnly: !isNew,
        })}
        {input('name', intl.formatMessage({ id: 'item.name', defaultMessage: 'Name' }), { required: true })}
        <Field label={intl.formatMessage({ id: 'item.kind', defaultMessage: 'Kind' })} required>
          <Dropdown
            disabled={!editable || !isNew}
            value={intl.formatMessage(kindLabels[draft.kind])}
            selectedOptions={[draft.kind]}
            onOptionSelect={(_, data) => set('kind', (data.optionValue ?? 'stock') as ItemKind)}
          >
            <Option value="stock">{intl.formatMessage(kindLabels.stock)}</Option>
            <Option value="service">{intl.formatMessage(kindLabels.service)}</Option>
          </Dropdown>
        </Field>
        {input('uom', intl.formatMessage({ id: 'stock.uom', defaultMessage: 'Unit' }), {
          required: true,
          hint: intl.formatMessage({ id: 'item.uomHint', defaultMessage: 'bag, ton, each, m3, day…' }),
        })}
        {input(
          'price',
          intl.formatMessage(
            { id: 'item.salesPriceIn', defaultMessage: 'Sales price ({currency})' },
            { currency },
          ),
          { path: 'salesPrice.amount', required: true, decimal: true },
        )}
        <Field
          label={intl.formatMessage({ id: 'item.taxCode', defaultMessage: 'Tax code' })}
          required
          validationMessage={errorFor('taxCode')}
        >
          <Dropdown
            disabled={!editable}
            value={draft.taxCode}
            selectedOptions={[draft.taxCode]}
            onOptionSelect={(_, data) => set('taxCode', data.optionValue ?? '')}
          >
            {(taxCodes.data?.items ?? [{ code: draft.taxCode, rate: '' }]).map((t) => (
              <Option key={t.code} value={t.code} text={t.code}>
                {t.name ? `${t.code} · ${t.name}` : t.code}
              </Option>
            ))}
          </Dropdown>
        </Field>
        {draft.kind === 'stock' &&
          input(
            'reorderLevel',
            intl.formatMessage({ id: 'item.reorderLevel', defaultMessage: 'Reorder level' }),
            {
              decimal: true,
              hint: intl.formatMessage({
                id: 'item.reorderHint',
                defaultMessage: 'Listed as low stock when the available quantity falls to it',
              }),
            },
          )}
        {item && (
          <ActiveField
            checked={draft.active}
            disabled={!editable}
            onLabel={intl.formatMessage({ id: 'item.activeOn', defaultMessage: 'Can be sold and received' })}
            offLabel={intl.formatMessage({ id: 'item.inactive', defaultMessage: 'Deactivated' })}
            error={errorFor('active')}
            onChange={(active) => set('active', active)}
          />
        )}
      </div>
      <Field
        label={intl.formatMessage({ id: 'item.description', defaultMessage: 'Description' })}
        validationMessage={errorFor('description')}
      >
        <Textarea
          value={draft.description}
          readOnly={!editable}
          maxLength={2000}
          onChange={(_, data) => set('description', data.value)}
        />
      </Field>
      {editable && (
        <FormActions
          label={intl.formatMessage({ id: 'item.actions', defaultMessage: 'Item actions' })}
          submitLabel={
            isNew
              ? intl.formatMessage({ id: 'item.create', defaultMessage: 'Create item' })
              : intl.formatMessage({ id: 'item.save', defaultMessage: 'Save changes' })
          }
          isNew={isNew}
          dirty={dirty}
          pending={save.isPending}
          onDiscard={() => setDraft(initial)}
        />
      )}
      {guard.dialog}
    </form>
  );
}
