import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Ajv } from 'ajv';
import ajvDraft04 from 'ajv-draft-04';
import { describe, expect, it } from 'vitest';

/**
 * host.json and the Static Web App configuration against their official schemas (SchemaStore,
 * vendored in tests/infra/schemas with their source and licence), so that a typo in either fails
 * here instead of being ignored by the host or rejected at deployment.
 */

const root = resolve(import.meta.dirname, '../..');
const json = (path: string): Record<string, unknown> =>
  JSON.parse(readFileSync(join(root, path), 'utf8')) as Record<string, unknown>;

function errorsOf(valid: boolean, errors: unknown): string {
  return valid ? '' : JSON.stringify(errors, null, 2);
}

describe('host.json', () => {
  // SchemaStore's host.json schema is draft-07 and uses a few annotations Ajv does not know.
  const ajv = new Ajv({ strict: false, allErrors: true });
  const validate = ajv.compile(json('tests/infra/schemas/host.schema.json'));

  it('is valid against the Azure Functions host.json schema', () => {
    const valid = validate(json('host.json'));
    expect(errorsOf(valid, validate.errors)).toBe('');
  });

  it('the schema really checks: a misspelt setting type is refused', () => {
    const broken = { ...json('host.json'), functionTimeout: 30 };
    expect(validate(broken)).toBe(false);
  });
});

describe('web/staticwebapp.config.json', () => {
  // ajv-draft-04 is CommonJS: its class is both the module and its `default`.
  const ajv = new ajvDraft04.default({ strict: false, allErrors: true });
  const validate = ajv.compile(json('tests/infra/schemas/staticwebapp.config.schema.json'));
  const config = json('web/staticwebapp.config.json') as {
    navigationFallback: { rewrite: string; exclude: string[] };
    globalHeaders: Record<string, string>;
  };

  it('is valid against the Static Web Apps configuration schema', () => {
    const valid = validate(config);
    expect(errorsOf(valid, validate.errors)).toBe('');
  });

  it('the schema really checks: an unknown top-level property is refused', () => {
    expect(validate({ ...config, navigationFalback: {} })).toBe(false);
  });

  it('falls back to index.html except for the API and built assets', () => {
    expect(config.navigationFallback.rewrite).toBe('/index.html');
    expect(config.navigationFallback.exclude).toEqual(expect.arrayContaining(['/api/*', '/assets/*']));
  });

  it('sends the security headers, allowing MSAL sign-in at login.microsoftonline.com', () => {
    const csp = config.globalHeaders['Content-Security-Policy']!;
    expect(csp).toMatch(/default-src 'self'/);
    expect(csp).toMatch(/connect-src [^;]*https:\/\/login\.microsoftonline\.com/);
    expect(csp).toMatch(/frame-ancestors 'none'/);
    expect(config.globalHeaders['X-Content-Type-Options']).toBe('nosniff');
    expect(config.globalHeaders['Referrer-Policy']).toBeDefined();
  });
});
