import { Combobox, Option, Spinner } from '@fluentui/react-components';
import { useQuery, type QueryKey } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useIntl } from 'react-intl';
import type { Page } from '../api/client';
import { useApi } from '../api/ApiProvider';

export interface EntityPickerProps<T> {
  /** The selected record's label, shown while the user is not typing. */
  selectedLabel: string;
  selectedId: string | undefined;
  onSelect: (entity: T) => void;
  queryKey: (search: string) => QueryKey;
  path: string;
  query?: Record<string, string>;
  getId: (entity: T) => string;
  getLabel: (entity: T) => string;
  placeholder?: string;
  disabled?: boolean;
  'aria-label'?: string;
  'aria-invalid'?: boolean;
}

const SEARCH_DELAY_MS = 250;
const OPTIONS_MAX = 20;

/** A combobox that searches a list endpoint (`?search=`) as the user types. */
export function EntityPicker<T>(props: EntityPickerProps<T>) {
  const api = useApi();
  const intl = useIntl();
  const [text, setText] = useState<string | undefined>(undefined);
  const [search, setSearch] = useState('');
  useEffect(() => {
    const timer = setTimeout(() => setSearch((text ?? '').trim()), SEARCH_DELAY_MS);
    return () => clearTimeout(timer);
  }, [text]);
  const [open, setOpen] = useState(false);
  const options = useQuery({
    queryKey: props.queryKey(search),
    queryFn: ({ signal }) =>
      api.get<Page<T>>(props.path, {
        query: { ...props.query, limit: OPTIONS_MAX, search: search || undefined },
        signal,
      }),
    enabled: open,
    staleTime: 30_000,
  });
  const items = options.data?.items ?? [];

  return (
    <Combobox
      freeform
      aria-label={props['aria-label']}
      aria-invalid={props['aria-invalid']}
      placeholder={props.placeholder}
      disabled={props.disabled}
      value={text ?? props.selectedLabel}
      selectedOptions={props.selectedId ? [props.selectedId] : []}
      open={open}
      onOpenChange={(_, data) => {
        setOpen(data.open);
        if (!data.open) setText(undefined);
      }}
      onChange={(event) => {
        setText(event.target.value);
        setOpen(true);
      }}
      onOptionSelect={(_, data) => {
        const chosen = items.find((item) => props.getId(item) === data.optionValue);
        if (chosen) props.onSelect(chosen);
        setText(undefined);
      }}
    >
      {options.isFetching && items.length === 0 ? (
        <Option value="" disabled text="">
          <Spinner
            size="tiny"
            label={intl.formatMessage({ id: 'state.loading', defaultMessage: 'Loading…' })}
          />
        </Option>
      ) : items.length === 0 ? (
        <Option value="" disabled text="">
          {intl.formatMessage({ id: 'picker.none', defaultMessage: 'Nothing matches' })}
        </Option>
      ) : (
        items.map((item) => (
          <Option key={props.getId(item)} value={props.getId(item)} text={props.getLabel(item)}>
            {props.getLabel(item)}
          </Option>
        ))
      )}
    </Combobox>
  );
}
