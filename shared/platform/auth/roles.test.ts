import { describe, expect, it } from 'vitest';
import { hasAnyRole } from './principal.js';
import { isRole, roleSchema, ROLES } from './roles.js';

describe('roles', () => {
  it('recognises exactly the twelve roles, case-sensitively', () => {
    expect(ROLES).toHaveLength(12);
    expect(ROLES.every(isRole)).toBe(true);
    expect(['admin', 'Root', '', 7, undefined, 'Finance'].some(isRole)).toBe(false);
  });

  it('validates with a message that lists the roles', () => {
    expect(roleSchema.parse('SiteManager')).toBe('SiteManager');
    const result = roleSchema.safeParse('Root');
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toContain('Platform.Operator');
  });

  it('tells whether a principal holds any of some roles', () => {
    expect(hasAnyRole({ roles: ['Sales.Rep', 'Employee'] }, ['Sales.Manager', 'Sales.Rep'])).toBe(true);
    expect(hasAnyRole({ roles: ['Employee'] }, ['Admin'])).toBe(false);
    expect(hasAnyRole({ roles: ['Admin'] }, [])).toBe(false);
  });
});
