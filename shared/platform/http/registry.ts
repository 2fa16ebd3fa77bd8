import type { z } from 'zod';
import type { Role } from '../auth/roles.js';

/** What the app knows about each HTTP route: the OpenAPI document and the route test suite read it. */
export interface RouteSpec {
  name: string;
  method: string;
  route: string;
  summary: string;
  tags: string[];
  roles: readonly Role[] | 'any' | 'anonymous';
  params: z.ZodType | undefined;
  query: z.ZodType | undefined;
  body: z.ZodType | undefined;
  response: z.ZodType | undefined;
  status: number;
  example: unknown;
  idempotent: boolean;
  /** A read route that may answer from the read replica (honours `X-Consistency-Token`). */
  readsReplica: boolean;
  /** Successful answers besides `status`, for the OpenAPI document. */
  otherResponses: Record<number, { description: string; schema: z.ZodType }>;
}

const specs = new Map<string, RouteSpec>();

export function registerRouteSpec(spec: RouteSpec): void {
  specs.set(spec.name, spec);
}

export function routeSpecs(): RouteSpec[] {
  return [...specs.values()];
}
