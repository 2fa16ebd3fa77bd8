import type { z } from 'zod';
import { AppError, type FieldError } from '../errors.js';

/** Turns zod issues into field errors whose paths name the offending field, prefixed by where it came from. */
export function fieldErrors(error: z.ZodError, prefix?: string): FieldError[] {
  return error.issues
    .map((issue) => {
      // An unknown key is reported by zod on the parent object; name the key itself.
      const keys = issue.code === 'unrecognized_keys' ? issue.keys : [undefined];
      return keys.map((key) => {
        const segments = [...(prefix ? [prefix] : []), ...issue.path.map(String), ...(key ? [key] : [])];
        return { path: segments.join('.') || '(body)', message: issue.message };
      });
    })
    .flat();
}

/** Parses `value` with `schema`, or throws a 400 naming every invalid field. */
export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, prefix?: string): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) {
    const errors = fieldErrors(result.error, prefix);
    throw new AppError(
      'validation',
      'platform.invalid_request',
      `The request is invalid: ${errors.map((e) => e.path).join(', ')}.`,
      { errors },
    );
  }
  return result.data;
}
