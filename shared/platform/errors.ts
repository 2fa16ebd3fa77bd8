/**
 * The kinds of failure the app reports. Modules throw `AppError` with one of these kinds and a
 * module-specific `code`; `http/problem.ts` is the one place that turns a kind into an HTTP status.
 */
export type ErrorKind =
  | 'validation'
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'precondition_failed'
  | 'precondition_required'
  | 'business_rule'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'method_not_allowed'
  | 'rate_limited'
  | 'unavailable';

export interface FieldError {
  /** Where the problem is, as a dotted path into the request (`lines.0.debit`, `query.limit`). */
  path: string;
  message: string;
}

export class AppError extends Error {
  readonly kind: ErrorKind;
  /** A stable, module-qualified code such as `admin.user_not_found`. */
  readonly code: string;
  readonly errors: FieldError[] | undefined;
  readonly headers: Record<string, string> | undefined;

  constructor(
    kind: ErrorKind,
    code: string,
    message: string,
    options: { errors?: FieldError[]; headers?: Record<string, string>; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'AppError';
    this.kind = kind;
    this.code = code;
    this.errors = options.errors;
    this.headers = options.headers;
  }
}

export const notFound = (code: string, message: string): AppError => new AppError('not_found', code, message);
export const conflict = (code: string, message: string): AppError => new AppError('conflict', code, message);
export const businessRule = (code: string, message: string, errors?: FieldError[]): AppError =>
  new AppError('business_rule', code, message, { errors });
export const invalid = (code: string, message: string, errors: FieldError[]): AppError =>
  new AppError('validation', code, message, { errors });
export const forbidden = (code: string, message: string): AppError =>
  new AppError('forbidden', code, message);
export const staleVersion = (what: string): AppError =>
  new AppError(
    'precondition_failed',
    'platform.stale_version',
    `The ${what} was changed by someone else; reload it and try again.`,
  );
