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

/**
 * PostgreSQL cannot store U+0000 in `text` or `jsonb`, so no request may carry it: every string
 * (and object key) of the input holding one is named here, instead of failing in the database.
 */
export function nulCharacterErrors(value: unknown, prefix?: string, path: string[] = []): FieldError[] {
  const at = (segments: string[]) => [...(prefix ? [prefix] : []), ...segments].join('.') || '(body)';
  const message = 'Text must not contain the NUL character (U+0000).';
  if (typeof value === 'string') return value.includes('\u0000') ? [{ path: at(path), message }] : [];
  if (Array.isArray(value))
    return value.flatMap((item, i) => nulCharacterErrors(item, prefix, [...path, String(i)]));
  if (value !== null && typeof value === 'object')
    return Object.entries(value).flatMap(([key, item]) =>
      key.includes('\u0000')
        ? [{ path: at([...path, key]), message }]
        : nulCharacterErrors(item, prefix, [...path, key]),
    );
  return [];
}

/** Parses `value` with `schema`, or throws a 400 naming every invalid field. */
export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, prefix?: string): z.output<S> {
  const result = schema.safeParse(value);
  const nul = nulCharacterErrors(value, prefix);
  if (!result.success || nul.length > 0) {
    const errors = [...(result.success ? [] : fieldErrors(result.error, prefix)), ...nul];
    throw new AppError(
      'validation',
      'platform.invalid_request',
      `The request is invalid: ${errors.map((e) => e.path).join(', ')}.`,
      { errors },
    );
  }
  return result.data;
}
