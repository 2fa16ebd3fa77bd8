import { Field, Input, makeStyles, tokens } from '@fluentui/react-components';
import { useQuery } from '@tanstack/react-query';
import { useIntl } from 'react-intl';
import { useSearchParams } from 'react-router';
import type { Page } from '../../api/client';
import { useApi } from '../../api/ApiProvider';
import { ledgerKeys, startOfYear, today } from './api';

interface FiscalYear {
  id: string;
  name: string;
  startDate: string;
  endDate: string;
  status: 'open' | 'closing' | 'closed';
}

/** The fiscal year that contains today, for the reports' default period. */
export function useCurrentFiscalYear() {
  const api = useApi();
  return useQuery({
    queryKey: [...ledgerKeys.all, 'fiscal-years'],
    queryFn: async ({ signal }) => {
      const years = await api.get<Page<FiscalYear>>('v1/accounting/fiscal-years', {
        query: { limit: 200 },
        signal,
      });
      const day = today();
      return years.items.find((y) => y.startDate <= day && day <= y.endDate) ?? null;
    },
    staleTime: 30 * 60_000,
  });
}

/**
 * A report's dates, kept in the address so a drill-down can be shared and the back button returns
 * to the same figures. Until chosen: the current fiscal year to date.
 */
export function usePeriodParams(names: readonly ('from' | 'to' | 'date' | 'asOf')[]) {
  const [params, setParams] = useSearchParams();
  const year = useCurrentFiscalYear();
  const day = today();
  const defaults: Record<string, string> = {
    from: year.data?.startDate ?? startOfYear(day),
    to: day,
    date: day,
    asOf: day,
  };
  const values = Object.fromEntries(names.map((n) => [n, params.get(n) || defaults[n]!])) as Record<
    (typeof names)[number],
    string
  >;
  const set = (name: (typeof names)[number], value: string) =>
    setParams(
      (current) => {
        const next = new URLSearchParams(current);
        if (value) next.set(name, value);
        else next.delete(name);
        return next;
      },
      { replace: true },
    );
  // Until the fiscal year is known, a default `from` would change under the user.
  const ready = names.includes('from') && !params.get('from') ? !year.isPending : true;
  return { values, set, ready };
}

const useStyles = makeStyles({
  row: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalM, alignItems: 'end' },
});

/** Date inputs for a report's parameters. */
export function PeriodFields({
  names,
  values,
  set,
}: {
  names: readonly ('from' | 'to' | 'date' | 'asOf')[];
  values: Record<string, string>;
  set: (name: 'from' | 'to' | 'date' | 'asOf', value: string) => void;
}) {
  const styles = useStyles();
  const intl = useIntl();
  const labels = {
    from: intl.formatMessage({ id: 'report.from', defaultMessage: 'From' }),
    to: intl.formatMessage({ id: 'report.to', defaultMessage: 'To' }),
    date: intl.formatMessage({ id: 'report.date', defaultMessage: 'As at' }),
    asOf: intl.formatMessage({ id: 'report.asOf', defaultMessage: 'Aged at' }),
  };
  return (
    <div className={styles.row}>
      {names.map((name) => (
        <Field key={name} label={labels[name]}>
          <Input type="date" value={values[name]} onChange={(_, d) => d.value && set(name, d.value)} />
        </Field>
      ))}
    </div>
  );
}
