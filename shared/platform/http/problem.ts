import type { HttpResponseInit } from '@azure/functions';
import { AppError, type ErrorKind, type FieldError } from '../errors.js';

const statusByKind: Record<ErrorKind, number> = {
  validation: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  precondition_failed: 412,
  payload_too_large: 413,
  unsupported_media_type: 415,
  business_rule: 422,
  precondition_required: 428,
  rate_limited: 429,
  unavailable: 503,
};

const titleByStatus: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  412: 'Precondition Failed',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  428: 'Precondition Required',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** An RFC 9457 problem document. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code?: string;
  instance?: string;
  requestId?: string;
  errors?: FieldError[];
}

export function statusOf(kind: ErrorKind): number {
  return statusByKind[kind];
}

/**
 * The one place that maps an error to an HTTP response. Anything that is not an `AppError` is an
 * unexpected failure: a 500 whose body says nothing about the cause (it is logged, with the
 * request id the client gets, so operations can find it).
 */
export function problemResponse(error: unknown, requestId: string): HttpResponseInit {
  if (error instanceof AppError) {
    const status = statusByKind[error.kind];
    const problem: Problem = {
      type: `https://tessera-erp.dev/problems/${error.code.replace(/\./g, '/')}`,
      title: titleByStatus[status] ?? 'Error',
      status,
      detail: error.message,
      code: error.code,
      requestId,
    };
    if (error.errors?.length) problem.errors = error.errors;
    return problemOf(problem, error.headers);
  }
  return problemOf({
    type: 'about:blank',
    title: titleByStatus[500] as string,
    status: 500,
    detail: 'The request failed unexpectedly. Quote the request id when you report it.',
    requestId,
  });
}

export function problemOf(problem: Problem, headers: Record<string, string> = {}): HttpResponseInit {
  return {
    status: problem.status,
    headers: { 'Content-Type': 'application/problem+json', ...headers },
    body: JSON.stringify(problem),
  };
}
