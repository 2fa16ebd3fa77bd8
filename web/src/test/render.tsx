import { FluentProvider, webLightTheme } from '@fluentui/react-components';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render } from '@testing-library/react';
import type { ReactElement } from 'react';
import { IntlProvider } from 'react-intl';
import { RouterProvider, createMemoryRouter } from 'react-router';
import { ApiClient } from '../api/client';
import { ApiContext } from '../api/ApiProvider';
import { AuthContext, type Auth } from '../auth/AuthProvider';

export type Handler = (
  method: string,
  url: URL,
  body: unknown,
) => { status?: number; body: unknown } | undefined;

/** Renders a page with everything the app gives it, and an API answered by `handler`. */
export function renderWithApp(element: ReactElement, options: { handler: Handler; roles?: string[] }) {
  const calls: { method: string; url: URL; body: unknown; headers: Record<string, string> }[] = [];
  const fetchStub: typeof fetch = async (input, init) => {
    const url = new URL(String(input));
    // JSON bodies arrive parsed; anything else (a file's bytes as a Blob) as it was sent.
    const body = !init?.body ? undefined : typeof init.body === 'string' ? JSON.parse(init.body) : init.body;
    const method = init?.method ?? 'GET';
    calls.push({ method, url, body, headers: (init?.headers ?? {}) as Record<string, string> });
    const answer = options.handler(method, url, body) ?? {
      status: 404,
      body: { status: 404, title: 'Not Found' },
    };
    const status = answer.status ?? 200;
    // A 204 has no body (a Response refuses one).
    return new Response(status === 204 ? null : JSON.stringify(answer.body), {
      status,
      headers: { 'content-type': status >= 400 ? 'application/problem+json' : 'application/json' },
    });
  };
  const api = new ApiClient({ getToken: async () => 'token', onUnauthorized: () => {}, fetch: fetchStub });
  const auth: Auth = {
    status: 'signed-in',
    mode: 'developer',
    user: {
      name: 'Alice',
      username: 'alice@demo.example',
      tenantId: 't',
      roles: options.roles ?? ['Sales.Rep'],
      expiresAt: 0,
    },
    reason: undefined,
    failure: undefined,
    getToken: async () => 'token',
    signInDeveloper: async () => {},
    signInEntra: async () => {},
    signOut: () => {},
    sessionExpired: () => {},
  };
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  const router = createMemoryRouter([{ path: '*', element }]);
  const result = render(
    <FluentProvider theme={webLightTheme}>
      <IntlProvider locale="en-ZA" defaultLocale="en-ZA" messages={{}} onError={() => {}}>
        <QueryClientProvider client={queryClient}>
          <AuthContext.Provider value={auth}>
            <ApiContext.Provider value={api}>
              <RouterProvider router={router} />
            </ApiContext.Provider>
          </AuthContext.Provider>
        </QueryClientProvider>
      </IntlProvider>
    </FluentProvider>,
  );
  return { ...result, calls };
}
