import { useQuery } from '@tanstack/react-query';
import { useParams } from 'react-router';
import { useApi } from '../../api/ApiProvider';
import { adminKeys, salesKeys } from '../../api/keys';
import type { Quote, Tenant } from '../../api/types';
import { DocumentsPanel } from '../../components/DocumentsPanel';
import { ErrorState, Loading } from '../../components/States';
import { QuoteEditor } from './QuoteEditor';
import { usePageStyles } from './QuotesPage';

/**
 * `/sales/quotes/new` and `/sales/quotes/:id`: the quote, and its documents once it exists;
 * `/sales/orders/new` (mode `order`): an order entered directly, with the same form.
 */
export function QuoteEditorPage({ mode = 'quote' }: { mode?: 'quote' | 'order' }) {
  const { id } = useParams();
  const api = useApi();
  const styles = usePageStyles();
  const tenant = useQuery({
    queryKey: adminKeys.tenant(),
    queryFn: ({ signal }) => api.get<Tenant>('v1/admin/tenant', { signal }),
    staleTime: 5 * 60_000,
  });
  const quote = useQuery({
    queryKey: salesKeys.quote(id ?? 'new'),
    queryFn: ({ signal }) => api.get<Quote>(`v1/sales/quotes/${id}`, { signal }),
    enabled: id !== undefined,
  });
  if (tenant.isPending || (id !== undefined && quote.isPending)) return <Loading />;
  if (tenant.isError) return <ErrorState error={tenant.error} onRetry={() => void tenant.refetch()} />;
  if (quote.isError) return <ErrorState error={quote.error} onRetry={() => void quote.refetch()} />;
  return (
    <div className={styles.page}>
      <QuoteEditor
        key={id ?? `new-${mode}`}
        quote={quote.data}
        baseCurrency={tenant.data.baseCurrency}
        mode={mode}
      />
      {quote.data && <DocumentsPanel recordType="quote" recordId={quote.data.id} />}
    </div>
  );
}
