import { useQuery } from '@tanstack/react-query';
import { useParams } from 'react-router';
import { useApi } from '../../api/ApiProvider';
import { useTenant } from '../../api/useTenant';
import { accountingKeys } from '../../api/keys';
import type { Customer } from '../../api/types';
import { DocumentsPanel } from '../../components/DocumentsPanel';
import { ErrorState, Loading } from '../../components/States';
import { CustomerForm } from './CustomerForm';
import { usePageStyles } from './QuotesPage';

/** `/sales/customers/new` and `/sales/customers/:id`: one customer's details, and its documents once it exists. */
export function CustomerPage() {
  const { id } = useParams();
  const api = useApi();
  const tenant = useTenant();
  const styles = usePageStyles();
  const customer = useQuery({
    queryKey: accountingKeys.customer(id ?? 'new'),
    queryFn: ({ signal }) => api.get<Customer>(`v1/accounting/customers/${id}`, { signal }),
    enabled: id !== undefined,
  });
  if (tenant.isPending || (id !== undefined && customer.isPending)) return <Loading />;
  if (tenant.isError) return <ErrorState error={tenant.error} onRetry={() => void tenant.refetch()} />;
  if (customer.isError) return <ErrorState error={customer.error} onRetry={() => void customer.refetch()} />;
  return (
    <div className={styles.page}>
      <CustomerForm key={id ?? 'new'} customer={customer.data} baseCurrency={tenant.data.baseCurrency} />
      {customer.data && <DocumentsPanel recordType="customer" recordId={customer.data.id} />}
    </div>
  );
}
