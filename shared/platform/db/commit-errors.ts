import type { AppError } from '../errors.js';

/**
 * What a rule the database checks at COMMIT (a deferred constraint trigger) means to the caller.
 * Such a rule is broken by something another transaction committed meanwhile (a period closed
 * while an entry was being posted), so the module that owns it says how to tell the user; without
 * that, a refusal at COMMIT would look like an unexpected failure.
 */
type Explain = (error: { constraint?: string; message: string }) => AppError;

const explained = new Map<string, Explain>();

/** Registers how a deferred constraint's refusal at COMMIT is told (by the constraint's name). */
export function explainCommitRefusal(constraint: string, explain: Explain): void {
  explained.set(constraint, explain);
}

/** The registered explanation of a refusal raised at COMMIT, if `error` is one. */
export function commitRefusal(error: unknown): AppError | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, constraint, message } = error as { code?: unknown; constraint?: unknown; message?: unknown };
  if (typeof code !== 'string' || !code.startsWith('23') || typeof constraint !== 'string') return undefined;
  const explain = explained.get(constraint);
  return explain?.({ constraint, message: typeof message === 'string' ? message : '' });
}
