import { describe, expect, it } from 'vitest';
import type { RegisteredFunction } from './host.js';
import { compileRoute, matchRoute, sortRoutes } from './routing.js';

const fn = (name: string, route: string, methods = ['GET']): RegisteredFunction =>
  ({
    name,
    trigger: { name: 'req', type: 'httpTrigger', direction: 'in', route, methods },
  }) as unknown as RegisteredFunction;

describe('route templates', () => {
  it('matches literals case-insensitively and extracts parameters', () => {
    const route = compileRoute(fn('get-user', 'v1/admin/users/{id:guid}'));
    expect(matchRoute(route, 'v1/Admin/users/5b0c3f0e-6d1a-4c55-9a37-2f5e8f1d0a01')).toEqual({
      id: '5b0c3f0e-6d1a-4c55-9a37-2f5e8f1d0a01',
    });
    expect(matchRoute(route, 'v1/admin/users/not-a-guid')).toBeUndefined();
    expect(matchRoute(route, 'v1/admin/users')).toBeUndefined();
    expect(matchRoute(route, 'v1/admin/users/5b0c3f0e-6d1a-4c55-9a37-2f5e8f1d0a01/extra')).toBeUndefined();
  });

  it('supports optional and catch-all parameters', () => {
    expect(matchRoute(compileRoute(fn('a', 'files/{name?}')), 'files')).toEqual({});
    expect(matchRoute(compileRoute(fn('b', 'files/{*path}')), 'files/a/b%20c.txt')).toEqual({
      path: 'a/b c.txt',
    });
  });

  it('tries the most specific template first', () => {
    const routes = sortRoutes([
      compileRoute(fn('param', 'v1/items/{id}')),
      compileRoute(fn('literal', 'v1/items/low-stock')),
    ]);
    expect(routes.map((r) => r.fn.name)).toEqual(['literal', 'param']);
  });

  it('rejects a constraint it does not know instead of ignoring it', () => {
    expect(() => compileRoute(fn('x', 'v1/{id:regex(^a$)}'))).toThrow(/not supported/);
  });
});
