import { Field, Input, makeStyles, tokens } from '@fluentui/react-components';
import { useQuery } from '@tanstack/react-query';
import { useIntl } from 'react-intl';
import { useSearchParams } from 'react-router';
import type { Page } from '../../api/client';
import { useApi } from '../../api/ApiProvider';
import { useTenant } from '../../api/useTenant';
import { ledgerKeys, startOfYear, today } from './api';

interface FiscalYear {
  id: string;
  name: string;
  startDate: string;
  endDate: string;
  status: 'open' | 'closing' | 'closed';
}

/**
 * Today in the tenant's time zone, as the server dates documents and defaults its reports: a user
 * in another zone than the tenant's would otherwise ask for yesterday's or tomorrow's figures.
 * `ready` is false until the tenant's zone is known.
 */
export function useTenantToday(): { day: string; ready: boolean } {
  const tenant = useTenant();
  return { day: today(tenant.data?.timeZone), ready: !tenant.isPending };
}

/** The fiscal year that contains the tenant's today, for the reports' default period. */
export function useCurrentFiscalYear() {
  const api = useApi();
  const { day } = useTenantToday();
  return useQuery({
    queryKey: [...ledgerKeys.all, 'fiscal-years'],
    queryFn: ({ signal }) =>
      api.get<Page<FiscalYear>>('v1/accounting/fiscal-years', {
        query: { limit: 200 },
        signal,
      }),
    select: (years) => years.items.find((y) => y.startDate <= day && day <= y.endDate) ?? null,
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
  const tenantDay = useTenantToday();
  const day = tenantDay.day;
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
  // Until the fiscal year and the tenant's day are known, a default date would change under the user.
  const defaulted = names.filter((n) => !params.get(n));
  const ready =
    (!defaulted.includes('from') || !year.isPending) && (defaulted.length === 0 || tenantDay.ready);
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
