import { createContext, useContext, useMemo, type ReactNode } from 'react';
import { useAuth } from '../auth/AuthProvider';
import { ApiClient } from './client';

export const ApiContext = createContext<ApiClient | undefined>(undefined);

export function ApiProvider({ children, client }: { children: ReactNode; client?: ApiClient }) {
  const { getToken, sessionExpired } = useAuth();
  const value = useMemo(
    () => client ?? new ApiClient({ getToken, onUnauthorized: sessionExpired }),
    [client, getToken, sessionExpired],
  );
  return <ApiContext.Provider value={value}>{children}</ApiContext.Provider>;
}

export function useApi(): ApiClient {
  const api = useContext(ApiContext);
  if (!api) throw new Error('useApi needs an ApiProvider.');
  return api;
}
