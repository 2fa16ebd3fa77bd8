import type { RegisteredFunction } from './host.js';

/**
 * Route templates as the Functions host reads them (ASP.NET Core routing, the subset Functions
 * apps use): literal segments, `{name}`, `{name?}`, `{name:constraint}` and a final `{*rest}`.
 */
interface Segment {
  kind: 'literal' | 'param' | 'catchAll';
  value: string;
  optional: boolean;
  constraint: string | undefined;
}

export interface CompiledRoute {
  fn: RegisteredFunction;
  methods: string[];
  segments: Segment[];
  /** Higher is more specific; literal segments beat constrained parameters beat free ones. */
  rank: number[];
}

const constraints: Record<string, (value: string) => boolean> = {
  guid: (v) => /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i.test(v),
  int: (v) => /^-?\d{1,10}$/.test(v) && Math.abs(Number(v)) <= 2 ** 31,
  long: (v) => /^-?\d{1,19}$/.test(v),
  alpha: (v) => /^[a-z]+$/i.test(v),
  bool: (v) => /^(true|false)$/i.test(v),
};

export function compileRoute(fn: RegisteredFunction): CompiledRoute {
  const template = String(fn.trigger.route ?? fn.name).replace(/^\/+|\/+$/g, '');
  const methods = ((fn.trigger.methods as string[] | undefined) ?? ['GET', 'POST']).map((m) =>
    m.toUpperCase(),
  );
  const segments: Segment[] = template.split('/').map((part) => {
    const match = /^\{(\*)?(\w+)(?::(\w+)(?:\([^)]*\))?)?(\?)?\}$/.exec(part);
    if (!match) return { kind: 'literal', value: part.toLowerCase(), optional: false, constraint: undefined };
    const [, star, name, constraint, optional] = match;
    if (constraint && !constraints[constraint.toLowerCase()]) {
      throw new Error(
        `Function "${fn.name}": route constraint "${constraint}" is not supported by the devhost.`,
      );
    }
    return {
      kind: star ? 'catchAll' : 'param',
      value: name as string,
      optional: Boolean(optional) || Boolean(star),
      constraint: constraint?.toLowerCase(),
    };
  });
  const rank = segments.map((s) =>
    s.kind === 'literal' ? 3 : s.kind === 'catchAll' ? 0 : s.constraint ? 2 : 1,
  );
  return { fn, methods, segments, rank };
}

/** Sorts routes so that the most specific template is tried first, as the host does. */
export function sortRoutes(routes: CompiledRoute[]): CompiledRoute[] {
  return routes.sort((a, b) => {
    for (let i = 0; i < Math.max(a.rank.length, b.rank.length); i++) {
      const diff = (b.rank[i] ?? -1) - (a.rank[i] ?? -1);
      if (diff !== 0) return diff;
    }
    return 0;
  });
}

/** The route parameters when `path` (without the route prefix) fits the template. */
export function matchRoute(route: CompiledRoute, path: string): Record<string, string> | undefined {
  const parts = path
    .replace(/^\/+|\/+$/g, '')
    .split('/')
    .filter((p, i, all) => p !== '' || all.length === 1);
  const params: Record<string, string> = {};
  for (let i = 0; i < route.segments.length; i++) {
    const segment = route.segments[i] as Segment;
    if (segment.kind === 'catchAll') {
      params[segment.value] = parts.slice(i).map(decodeURIComponent).join('/');
      return params;
    }
    const part = parts[i];
    if (part === undefined || part === '') {
      if (segment.optional) continue;
      return undefined;
    }
    if (segment.kind === 'literal') {
      if (part.toLowerCase() !== segment.value) return undefined;
      continue;
    }
    let value: string;
    try {
      value = decodeURIComponent(part);
    } catch {
      return undefined;
    }
    if (segment.constraint && !constraints[segment.constraint]?.(value)) return undefined;
    params[segment.value] = value;
  }
  return parts.length <= route.segments.length ? params : undefined;
}
