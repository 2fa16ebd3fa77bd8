import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AppError } from '../errors.js';
import { parseOrThrow } from './validation.js';

describe('parseOrThrow', () => {
  const schema = z.strictObject({ name: z.string(), tags: z.array(z.string()).optional() });

  it('refuses a NUL character anywhere in the input, naming the field (PostgreSQL cannot store it)', () => {
    const refuse = (value: unknown, prefix?: string) => {
      try {
        parseOrThrow(schema, value, prefix);
      } catch (error) {
        expect(error).toBeInstanceOf(AppError);
        return (error as AppError).errors?.map((e) => e.path);
      }
      throw new Error('accepted');
    };
    expect(refuse({ name: 'a\u0000b' })).toEqual(['name']);
    expect(refuse({ name: 'ok', tags: ['x', '\u0000'] }, 'query')).toEqual(['query.tags.1']);
    expect(refuse({ name: 'ok', 'bad\u0000key': 1 })).toContain('bad\u0000key');
    expect(parseOrThrow(schema, { name: 'Zoë 🧱' })).toEqual({ name: 'Zoë 🧱' });
  });
});
