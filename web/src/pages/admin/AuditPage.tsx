import { Field, Input, Title2 } from '@fluentui/react-components';
import { useEffect, useMemo, useState } from 'react';
import { FormattedMessage, useIntl } from 'react-intl';
import { adminKeys } from '../../api/keys';
import type { AuditEntry } from '../../api/types';
import { useCursorList } from '../../api/useCursorList';
import { ResourceGrid, type GridColumn } from '../../components/ResourceGrid';
import { useFormat } from '../../format/useFormat';
import { usePageStyles } from '../sales/QuotesPage';

const FILTERS = ['entityType', 'entityId', 'action', 'actorId'] as const;
type AuditFilter = (typeof FILTERS)[number];

/** `/admin/audit`: who changed what and when, newest first, filtered by record, action or person. */
export function AuditPage() {
  const styles = usePageStyles();
  const intl = useIntl();
  const format = useFormat();
  const [typed, setTyped] = useState<Record<AuditFilter, string>>({
    entityType: '',
    entityId: '',
    action: '',
    actorId: '',
  });
  const [filters, setFilters] = useState<Record<string, string | undefined>>({});
  useEffect(() => {
    const timer = setTimeout(
      () => setFilters(Object.fromEntries(FILTERS.map((f) => [f, typed[f].trim() || undefined]))),
      300,
    );
    return () => clearTimeout(timer);
  }, [typed]);
  const list = useCursorList<AuditEntry>(adminKeys.audit(filters), 'v1/admin/audit', filters);
  const labels: Record<AuditFilter, string> = {
    entityType: intl.formatMessage({ id: 'admin.audit.entityType', defaultMessage: 'Record type' }),
    entityId: intl.formatMessage({ id: 'admin.audit.entityId', defaultMessage: 'Record id' }),
    action: intl.formatMessage({ id: 'admin.audit.action', defaultMessage: 'Action' }),
    actorId: intl.formatMessage({ id: 'admin.audit.actorId', defaultMessage: 'Person (id)' }),
  };
  const columns = useMemo<GridColumn<AuditEntry>[]>(
    () => [
      {
        id: 'occurredAt',
        header: intl.formatMessage({ id: 'admin.audit.when', defaultMessage: 'When' }),
        value: (e) => e.occurredAt,
        render: (e) => format.dateTime(e.occurredAt),
        width: 170,
      },
      {
        id: 'actor',
        header: intl.formatMessage({ id: 'admin.audit.actor', defaultMessage: 'Who' }),
        value: (e) => e.actorName ?? e.actorId,
        width: 180,
      },
      { id: 'action', header: labels.action, value: (e) => e.action, width: 200 },
      { id: 'entityType', header: labels.entityType, value: (e) => e.entityType, width: 160 },
      { id: 'entityId', header: labels.entityId, value: (e) => e.entityId, width: 290 },
      {
        id: 'details',
        header: intl.formatMessage({ id: 'admin.audit.details', defaultMessage: 'Details' }),
        value: (e) => (e.details === null || e.details === undefined ? null : JSON.stringify(e.details)),
        width: 360,
      },
      {
        id: 'requestId',
        header: intl.formatMessage({ id: 'admin.audit.requestId', defaultMessage: 'Request' }),
        value: (e) => e.requestId,
        width: 200,
      },
    ],
    // The labels are made from intl, already a dependency.
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [intl, format],
  );
  return (
    <div className={styles.page}>
      <Title2 as="h1">
        <FormattedMessage id="admin.audit" defaultMessage="Audit log" />
      </Title2>
      <ResourceGrid<AuditEntry>
        label={intl.formatMessage({ id: 'admin.audit', defaultMessage: 'Audit log' })}
        exportName="audit-log"
        columns={columns}
        getRowId={(e) => e.id}
        empty={<FormattedMessage id="admin.audit.empty" defaultMessage="Nothing recorded matches." />}
        filters={FILTERS.map((f) => (
          <Field key={f} label={labels[f]}>
            <Input value={typed[f]} onChange={(_, data) => setTyped((t) => ({ ...t, [f]: data.value }))} />
          </Field>
        ))}
        {...list}
      />
    </div>
  );
}
