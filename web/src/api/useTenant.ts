import { useQuery } from '@tanstack/react-query';
import { useApi } from './ApiProvider';
import { adminKeys } from './keys';
import type { Tenant } from './types';

/** The signed-in user's tenant and its settings (base currency, time zone, …), kept for minutes. */
export function useTenant() {
  const api = useApi();
  return useQuery({
    queryKey: adminKeys.tenant(),
    queryFn: ({ signal }) => api.get<Tenant>('v1/admin/tenant', { signal }),
    staleTime: 5 * 60_000,
  });
}
