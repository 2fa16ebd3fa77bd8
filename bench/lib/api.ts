/** The HTTP client the workloads drive the devhost with: bearer token, JSON, an Idempotency-Key per POST. */
import { randomUUID } from 'node:crypto';
import { now } from './stats.js';

export interface Answer<T> {
  status: number;
  body: T;
  headers: Headers;
  ms: number;
}

export class ApiError extends Error {}

export class Api {
  readonly #base: string;
  readonly #token: string;

  constructor(base: string, token: string) {
    this.#base = base;
    this.#token = token;
  }

  /** Sends one request and checks its status; every POST carries a new Idempotency-Key. */
  async call<T = unknown>(
    method: string,
    path: string,
    body?: unknown,
    expect: number[] = [200, 201, 202],
  ): Promise<Answer<T>> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.#token}` };
    if (method === 'POST') headers['idempotency-key'] = randomUUID();
    if (body !== undefined) headers['content-type'] = 'application/json';
    const start = now();
    const response = await fetch(`${this.#base}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(120_000),
    });
    const text = await response.text();
    const ms = now() - start;
    if (!expect.includes(response.status))
      throw new ApiError(`${method} ${path}: ${response.status} ${text.slice(0, 600)}`);
    return {
      status: response.status,
      body: (text ? JSON.parse(text) : undefined) as T,
      headers: response.headers,
      ms,
    };
  }

  get<T = unknown>(path: string): Promise<Answer<T>> {
    return this.call<T>('GET', path);
  }

  post<T = unknown>(path: string, body?: unknown): Promise<Answer<T>> {
    return this.call<T>('POST', path, body);
  }
}
