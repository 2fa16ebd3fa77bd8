import type { RetryOptionsJson } from './protocol.js';

/** The extension's defaults for what `df.RetryOptions` leaves unset. */
const BACKOFF_COEFFICIENT_DEFAULT = 1;
/** Durable Functions' default `MaxRetryInterval`: six days. */
const MAX_RETRY_INTERVAL_MS_DEFAULT = 6 * 24 * 60 * 60 * 1000;

/**
 * The delay before the next attempt after `failedAttempts` attempts have failed, as Durable Task's
 * RetryInterceptor computes it: firstRetryInterval × backoffCoefficient^(failedAttempts − 1),
 * capped at maxRetryInterval.
 */
export function retryDelayMs(options: RetryOptionsJson, failedAttempts: number): number {
  const coefficient = options.backoffCoefficient ?? BACKOFF_COEFFICIENT_DEFAULT;
  const cap = options.maxRetryIntervalInMilliseconds ?? MAX_RETRY_INTERVAL_MS_DEFAULT;
  const delay =
    options.firstRetryIntervalInMilliseconds * Math.pow(coefficient, Math.max(0, failedAttempts - 1));
  return Number.isFinite(delay) ? Math.min(delay, cap) : cap;
}

/**
 * Whether the retry timeout has elapsed: Durable Task stops retrying once the orchestration's
 * current time reaches the first attempt's time plus `retryTimeout` (unset: never).
 */
export function retryTimeoutElapsed(options: RetryOptionsJson, firstAttemptAt: Date, now: Date): boolean {
  const timeout = options.retryTimeoutInMilliseconds;
  if (timeout === undefined || timeout === null || !Number.isFinite(timeout)) return false;
  return now.getTime() >= firstAttemptAt.getTime() + timeout;
}
