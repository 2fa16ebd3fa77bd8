import { z } from 'zod';
import { CONSISTENCY_TOKEN_HEADER } from '../db/read-your-writes.js';
import { routeSpecs, type RouteSpec } from './registry.js';

type JsonSchema = Record<string, unknown>;

const problemSchema: JsonSchema = {
  type: 'object',
  required: ['type', 'title', 'status', 'detail'],
  properties: {
    type: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    code: { type: 'string' },
    requestId: { type: 'string' },
    errors: {
      type: 'array',
      items: { type: 'object', properties: { path: { type: 'string' }, message: { type: 'string' } } },
    },
  },
};

function toSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const json = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as JsonSchema;
  delete json.$schema;
  return json;
}

/** `v1/admin/users/{id:guid}` → `/api/v1/admin/users/{id}`. */
export function openApiPath(route: string, prefix = 'api'): string {
  return `/${prefix}/${route}`.replace(/\{(\w+)(:[^}]*)?\??\}/g, '{$1}');
}

function parameters(spec: RouteSpec): JsonSchema[] {
  const result: JsonSchema[] = [];
  for (const [location, schema] of [
    ['path', spec.params],
    ['query', spec.query],
  ] as const) {
    if (!schema) continue;
    const json = toSchema(schema, 'input');
    const props = (json.properties ?? {}) as Record<string, JsonSchema>;
    const required = new Set((json.required as string[] | undefined) ?? []);
    for (const [name, property] of Object.entries(props)) {
      result.push({
        name,
        in: location,
        required: location === 'path' || required.has(name),
        schema: property,
      });
    }
  }
  return result;
}

function problems(spec: RouteSpec): Record<string, JsonSchema> {
  const statuses = ['400'];
  if (spec.roles !== 'anonymous') statuses.push('401', '403');
  if (spec.params) statuses.push('404');
  if (spec.method === 'PATCH' || spec.method === 'PUT') statuses.push('412', '428');
  if (spec.idempotent) statuses.push('422');
  return Object.fromEntries(
    statuses.map((status) => [
      status,
      {
        description: 'Problem',
        content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
      },
    ]),
  );
}

/** The OpenAPI 3.1 document, generated from the same zod schemas the routes validate with. */
export function openApiDocument(info: { title: string; version: string }): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const spec of routeSpecs().sort((a, b) => a.route.localeCompare(b.route))) {
    const path = openApiPath(spec.route);
    const headers =
      spec.method !== 'GET' && spec.roles !== 'anonymous'
        ? {
            headers: {
              [CONSISTENCY_TOKEN_HEADER]: {
                description:
                  'With a read replica: the position of this write. Sent back on report reads, it makes them show the write (they wait for the replica or read the primary)',
                schema: { type: 'string', examples: ['0/3A1F2B8'] },
              },
            },
          }
        : {};
    const success = (description: string, schema: z.ZodType | undefined) => ({
      description,
      ...headers,
      ...(schema ? { content: { 'application/json': { schema: toSchema(schema, 'output') } } } : {}),
    });
    const operation: JsonSchema = {
      operationId: spec.name,
      summary: spec.summary,
      tags: spec.tags,
      parameters: parameters(spec),
      responses: {
        [String(spec.status)]: success('Success', spec.response),
        ...Object.fromEntries(
          Object.entries(spec.otherResponses).map(([status, other]) => [
            status,
            success(other.description, other.schema),
          ]),
        ),
        ...problems(spec),
      },
    };
    if (spec.roles === 'anonymous') operation.security = [];
    else operation['x-roles'] = spec.roles;
    if (spec.idempotent) {
      (operation.parameters as JsonSchema[]).push({
        name: 'Idempotency-Key',
        in: 'header',
        required: false,
        schema: { type: 'string', maxLength: 200 },
      });
    }
    if (spec.readsReplica) {
      (operation.parameters as JsonSchema[]).push({
        name: CONSISTENCY_TOKEN_HEADER,
        in: 'header',
        required: false,
        description:
          "The newest `X-Consistency-Token` of the caller's writes: the answer then includes them (this route may read the replica)",
        schema: { type: 'string', maxLength: 40 },
      });
    }
    if (spec.method === 'PATCH' || spec.method === 'PUT') {
      (operation.parameters as JsonSchema[]).push({
        name: 'If-Match',
        in: 'header',
        required: true,
        schema: { type: 'string' },
      });
    }
    if (spec.body) {
      operation.requestBody = {
        required: true,
        content: {
          'application/json': {
            schema: toSchema(spec.body, 'input'),
            ...(spec.example !== undefined ? { example: spec.example } : {}),
          },
        },
      };
    }
    paths[path] ??= {};
    (paths[path] as Record<string, JsonSchema>)[spec.method.toLowerCase()] = operation;
  }
  return {
    openapi: '3.1.0',
    info,
    servers: [{ url: '/' }],
    security: [{ entra: [] }],
    components: {
      securitySchemes: {
        entra: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'Entra ID access token' },
      },
      schemas: { Problem: problemSchema },
    },
    paths,
  };
}
