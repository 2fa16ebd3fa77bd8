import type { Role } from '../../shared/platform/auth/roles.js';
import { startDevhost, type Devhost } from '../../devhost/devhost.js';
import { createTestDatabase, type TestDatabase } from './db.js';

export interface ApiResponse<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export interface Api {
  request<T = any>(
    method: string,
    path: string,
    options?: { body?: unknown; rawBody?: string; headers?: Record<string, string> },
  ): Promise<ApiResponse<T>>;
  get<T = any>(path: string, headers?: Record<string, string>): Promise<ApiResponse<T>>;
  post<T = any>(path: string, body: unknown, headers?: Record<string, string>): Promise<ApiResponse<T>>;
  patch<T = any>(path: string, body: unknown, headers?: Record<string, string>): Promise<ApiResponse<T>>;
}

export interface TestDevhost extends Devhost {
  database: TestDatabase;
  /** A client calling the devhost over HTTP, signed in as the given user (or anonymous). */
  as(tenant: string, user: string, roles: Role[]): Promise<Api>;
  anonymous(): Api;
  close(): Promise<void>;
}

export function apiClient(baseUrl: string, token: string | undefined): Api {
  const request = async <T>(
    method: string,
    path: string,
    options: { body?: unknown; rawBody?: string; headers?: Record<string, string> } = {},
  ): Promise<ApiResponse<T>> => {
    const headers: Record<string, string> = { ...options.headers };
    if (token) headers.authorization = `Bearer ${token}`;
    let body: string | undefined;
    if (options.rawBody !== undefined) body = options.rawBody;
    else if (options.body !== undefined) body = JSON.stringify(options.body);
    if (body !== undefined) headers['content-type'] ??= 'application/json';
    const response = await fetch(`${baseUrl}${path}`, { method, headers, body });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // Not JSON: keep the text.
    }
    return { status: response.status, headers: response.headers, body: parsed as T, text };
  };
  return {
    request,
    get: (path, headers) => request('GET', path, { headers }),
    post: (path, body, headers) => request('POST', path, { body, headers }),
    patch: (path, body, headers) => request('PATCH', path, { body, headers }),
  };
}

/** The whole app on a fresh database of its own, on a free port, with blobs in memory. */
export async function startTestDevhost(options: { timers?: boolean } = {}): Promise<TestDevhost> {
  const database = await createTestDatabase();
  const devhost = await startDevhost({
    db: database.db,
    port: 0,
    blobInMemory: true,
    demoData: false,
    timers: options.timers ?? false,
    log: (entry) => {
      if (entry.level === 'error' || entry.level === 'critical')
        console.error(`[${entry.functionName ?? entry.category}] ${entry.message}`);
    },
  });
  // Let what starting wrote (the demo tenants' onboarding events and their consumers) finish first.
  await devhost.settle();
  return {
    ...devhost,
    database,
    as: async (tenant, user, roles) => apiClient(devhost.url, await devhost.token(tenant, user, roles)),
    anonymous: () => apiClient(devhost.url, undefined),
    close: async () => {
      await devhost.stop();
      await database.close();
    },
  };
}
