import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resetSettings } from '../../shared/platform/config.js';
import {
  AuthenticationError,
  resetTokenValidator,
  setTenantDirectory,
  tokenValidator,
} from '../../shared/platform/auth/token-validator.js';
import { AUDIENCE, directory, serveDevIssuer, tenants, type ServedIssuer } from './issuer-server.js';

const names = ['AUTH_AUDIENCE', 'AUTH_ISSUER_TEMPLATE', 'AUTH_JWKS_URI', 'PLATFORM_ENTRA_TENANT_ID'] as const;
const saved = Object.fromEntries(names.map((name) => [name, process.env[name]]));

let served: ServedIssuer;

beforeAll(async () => {
  served = await serveDevIssuer();
  // Configured the way the devhost configures the app: the production settings, pointed at the dev issuer.
  process.env.AUTH_AUDIENCE = `00000000-aaaa-4bbb-8ccc-000000000001, ${AUDIENCE}`;
  process.env.AUTH_ISSUER_TEMPLATE = served.issuer.issuerTemplate();
  process.env.AUTH_JWKS_URI = served.issuer.jwksUri();
  process.env.PLATFORM_ENTRA_TENANT_ID = tenants.acme.entraTenantId;
  resetSettings();
  resetTokenValidator();
});

afterAll(async () => {
  for (const name of names) {
    if (saved[name] === undefined) delete process.env[name];
    else process.env[name] = saved[name];
  }
  resetSettings();
  resetTokenValidator();
  await served?.close();
});

describe('tokenValidator()', () => {
  it('is one validator per process', () => {
    expect(tokenValidator()).toBe(tokenValidator());
  });

  it('fails loudly when the app never set a tenant directory', async () => {
    const token = await served.issuer.issue({ tenant: 'demo', user: 'alice', roles: [] });
    const error = await tokenValidator()
      .authenticate(`Bearer ${token}`)
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(AuthenticationError);
    expect((error as Error).message).toMatch(/setTenantDirectory/);
  });

  it('validates with the settings and the directory set at start', async () => {
    setTenantDirectory(directory);
    const token = await served.issuer.issue({ tenant: 'acme', user: 'olga', roles: ['Platform.Operator'] });
    await expect(tokenValidator().authenticate(`Bearer ${token}`)).resolves.toMatchObject({
      tenantSlug: 'acme',
      roles: ['Platform.Operator'],
    });
    const elsewhere = await served.issuer.issue({
      tenant: 'demo',
      user: 'olga',
      roles: ['Platform.Operator'],
    });
    await expect(tokenValidator().authenticate(`Bearer ${elsewhere}`)).resolves.toMatchObject({ roles: [] });
  });
});
