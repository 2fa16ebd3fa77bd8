import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROLES } from '../../shared/platform/auth/roles.js';

/** The API app registration's app roles (docs/deploy.md creates them from this file). */
const appRoles = JSON.parse(
  readFileSync(join(resolve(import.meta.dirname, '../..'), 'infra/entra/app-roles.json'), 'utf8'),
) as {
  value: string;
  id: string;
  displayName: string;
  description: string;
  allowedMemberTypes: string[];
  isEnabled: boolean;
}[];

describe('infra/entra/app-roles.json', () => {
  it('declares exactly the roles of shared/platform/auth/roles.ts, in order', () => {
    expect(appRoles.map((r) => r.value)).toEqual([...ROLES]);
  });

  it('gives each role a unique id, a name and a description Entra ID accepts', () => {
    expect(new Set(appRoles.map((r) => r.id)).size).toBe(appRoles.length);
    for (const role of appRoles) {
      expect(role.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      expect(role.displayName.length).toBeGreaterThan(0);
      expect(role.displayName.length).toBeLessThanOrEqual(100);
      expect(role.description.length).toBeGreaterThan(0);
      expect(role.allowedMemberTypes).toEqual(['User']);
      expect(role.isEnabled).toBe(true);
      // Entra ID refuses role values with spaces or starting with a dot.
      expect(role.value).toMatch(/^[A-Za-z][A-Za-z0-9.]*$/);
    }
  });
});
