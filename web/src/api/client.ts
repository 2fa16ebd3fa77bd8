/**
 * The one way the app talks to the API: bearer token, JSON (and a file's raw bytes for uploads),
 * problem+json errors turned into `ApiError` with field errors, `Idempotency-Key` on every POST and
 * `If-Match` on updates.
 */

export interface FieldError {
  /** Where the server found the problem, e.g. `body.lines.0.quantity` or `lines.0.warehouseId`. */
  path: string;
  message: string;
}

export interface Problem {
  type?: string;
  title?: string;
  status: number;
  detail?: string;
  code?: string;
  errors?: FieldError[];
}

export class ApiError extends Error {
  readonly status: number;
  readonly problem: Problem;

  constructor(problem: Problem) {
    super(problem.detail ?? problem.title ?? `The request failed (${problem.status}).`);
    this.name = 'ApiError';
    this.status = problem.status;
    this.problem = problem;
  }

  get fieldErrors(): FieldError[] {
    return this.problem.errors ?? [];
  }
}

/** A request that never reached the server or whose answer was not understood. */
export class NetworkError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NetworkError';
  }
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface RequestOptions {
  query?: Record<string, string | number | boolean | undefined | null>;
  body?: unknown;
  /** The resource version the change is based on; sent as `If-Match: "<version>"`. */
  version?: number;
  /** Reused when the same submission is retried, so the server does it once. */
  idempotencyKey?: string;
  signal?: AbortSignal;
}

export interface ApiClientOptions {
  baseUrl?: string;
  getToken: () => Promise<string | undefined>;
  /** Called on a 401: the session is over and the user must sign in again. */
  onUnauthorized: () => void;
  fetch?: typeof fetch;
}

const REQUEST_TIMEOUT_MS = 30_000;
// A file of tens of megabytes on a slow line takes minutes; still, no request waits for ever.
const UPLOAD_TIMEOUT_MS = 10 * 60_000;
// A JSON Content-Type tells the API the body is a JSON document, not the bytes of a file.
const JSON_CONTENT_TYPE = /^application\/([a-z0-9.+-]*\+)?json\b/i;

export interface UploadOptions {
  query?: RequestOptions['query'];
  /** Reused when the same upload is retried, so the server stores the file once. */
  idempotencyKey?: string;
  signal?: AbortSignal;
}

interface Send {
  query?: RequestOptions['query'];
  body?: BodyInit;
  contentType?: string;
  version?: number;
  idempotencyKey?: string;
  signal?: AbortSignal;
  timeoutMs: number;
}

/** The header by which the API tells a writer where its write is, and a reader asks to see it. */
export const CONSISTENCY_TOKEN_HEADER = 'X-Consistency-Token';

/** A WAL position (`0/3A1F2B8`) as one number, or undefined for anything else. */
function positionOf(token: string): bigint | undefined {
  const match = /^([0-9A-F]{1,8})\/([0-9A-F]{1,8})$/i.exec(token.trim());
  return match ? (BigInt(`0x${match[1]}`) << 32n) | BigInt(`0x${match[2]}`) : undefined;
}

export class ApiClient {
  readonly #options: ApiClientOptions;
  /**
   * The latest consistency token a write of this user answered with. Reads send it back, so a
   * report served from the read replica shows what the user has just done (read-your-writes).
   */
  #consistencyToken: { token: string; position: bigint } | undefined;

  constructor(options: ApiClientOptions) {
    this.#options = options;
  }

  get<T>(path: string, options: RequestOptions = {}): Promise<T> {
    return this.request<T>('GET', path, options);
  }

  post<T>(path: string, body: unknown = {}, options: Omit<RequestOptions, 'body'> = {}): Promise<T> {
    return this.request<T>('POST', path, { ...options, body });
  }

  patch<T>(path: string, body: unknown, version: number, options: Omit<RequestOptions, 'body'> = {}) {
    return this.request<T>('PATCH', path, { ...options, body, version });
  }

  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    return this.#send<T>(method, path, {
      query: options.query,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      contentType: options.body === undefined ? undefined : 'application/json',
      version: options.version,
      idempotencyKey: options.idempotencyKey,
      signal: options.signal,
      timeoutMs: REQUEST_TIMEOUT_MS,
    });
  }

  /**
   * POSTs a file's bytes as the body, with the file's own Content-Type (`application/octet-stream`
   * when the browser knows none, or when it is JSON, which the API would read as a JSON body).
   * What the file belongs to goes in the query; the answer and the errors are as for `request`.
   */
  upload<T>(path: string, file: Blob, options: UploadOptions = {}): Promise<T> {
    const declared = file.type.trim();
    return this.#send<T>('POST', path, {
      query: options.query,
      body: file,
      contentType: declared && !JSON_CONTENT_TYPE.test(declared) ? declared : 'application/octet-stream',
      idempotencyKey: options.idempotencyKey,
      signal: options.signal,
      timeoutMs: UPLOAD_TIMEOUT_MS,
    });
  }

  async #send<T>(method: string, path: string, options: Send): Promise<T> {
    const url = new URL(
      `${this.#options.baseUrl ?? ''}/api/${path.replace(/^\//, '')}`,
      window.location.origin,
    );
    for (const [name, value] of Object.entries(options.query ?? {})) {
      if (value !== undefined && value !== null && value !== '') url.searchParams.set(name, String(value));
    }
    const headers: Record<string, string> = { Accept: 'application/json, application/problem+json' };
    const token = await this.#options.getToken();
    if (token) headers.Authorization = `Bearer ${token}`;
    if (options.contentType !== undefined) headers['Content-Type'] = options.contentType;
    if (method === 'POST') headers['Idempotency-Key'] = options.idempotencyKey ?? crypto.randomUUID();
    if (options.version !== undefined) headers['If-Match'] = `"${options.version}"`;
    if (method === 'GET' && this.#consistencyToken)
      headers[CONSISTENCY_TOKEN_HEADER] = this.#consistencyToken.token;

    const timeout = AbortSignal.timeout(options.timeoutMs);
    const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
    let response: Response;
    try {
      response = await (this.#options.fetch ?? fetch)(url, {
        method,
        headers,
        body: options.body,
        signal,
      });
    } catch (error) {
      if (options.signal?.aborted) throw error;
      throw new NetworkError(error instanceof Error ? error.message : 'The server could not be reached.');
    }
    if (response.status === 401) this.#options.onUnauthorized();
    this.#keepConsistencyToken(response.headers.get(CONSISTENCY_TOKEN_HEADER));
    if (!response.ok) throw new ApiError(await readProblem(response));
    if (response.status === 204) return undefined as T;
    const type = response.headers.get('content-type') ?? '';
    if (!type.includes('json')) throw new NetworkError('The server answered with something other than JSON.');
    return (await response.json()) as T;
  }

  #keepConsistencyToken(token: string | null): void {
    const position = token === null ? undefined : positionOf(token);
    if (position === undefined || token === null) return;
    if (!this.#consistencyToken || position > this.#consistencyToken.position)
      this.#consistencyToken = { token: token.trim(), position };
  }
}

async function readProblem(response: Response): Promise<Problem> {
  const fallback: Problem = { status: response.status, title: response.statusText };
  try {
    const body = (await response.json()) as Partial<Problem>;
    return {
      ...fallback,
      ...body,
      status: response.status,
      errors: Array.isArray(body.errors) ? body.errors : undefined,
    };
  } catch {
    return fallback;
  }
}

/**
 * The field errors of a failed request by form field: `body.lines.0.quantity` and
 * `lines.0.quantity` both land on `lines.0.quantity`.
 */
export function fieldErrorsOf(error: unknown): Record<string, string> {
  if (!(error instanceof ApiError)) return {};
  const byField: Record<string, string> = {};
  for (const { path, message } of error.fieldErrors) {
    const field = path
      .replace(/^body\./, '')
      .replace(/\[(\d+)\]/g, '.$1')
      .replace(/^\(body\)$/, '');
    if (field && !(field in byField)) byField[field] = message;
  }
  return byField;
}
