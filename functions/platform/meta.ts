import * as df from 'durable-functions';
import { sql } from 'kysely';
import { z } from 'zod';
import { checkBlobHealth } from '../../shared/platform/blob/storage.js';
import { eventPublisher } from '../../shared/platform/events/publisher.js';
import { openApiDocument } from '../../shared/platform/http/openapi.js';
import { defineRoute } from '../../shared/platform/http/route.js';
import { settings } from '../../shared/platform/config.js';

interface ComponentHealth {
  status: 'up' | 'down';
  latencyMs: number;
  detail?: string;
}

const HEALTH_CHECK_TIMEOUT_MS = 5_000;

async function probe(check: () => Promise<unknown>): Promise<ComponentHealth> {
  const started = performance.now();
  try {
    await Promise.race([
      check(),
      new Promise((_, reject) =>
        setTimeout(() => reject(new Error('timed out')), HEALTH_CHECK_TIMEOUT_MS).unref(),
      ),
    ]);
    return { status: 'up', latencyMs: Math.round(performance.now() - started) };
  } catch (error) {
    return {
      status: 'down',
      latencyMs: Math.round(performance.now() - started),
      detail: error instanceof Error ? error.message.slice(0, 200) : 'failed',
    };
  }
}

const componentSchema = z.object({
  status: z.enum(['up', 'down']),
  latencyMs: z.number(),
  detail: z.string().optional(),
});

defineRoute({
  name: 'platform-health',
  method: 'GET',
  route: 'health',
  summary: 'Whether the database, blob storage, the event bus and the durable backend answer',
  tags: ['platform'],
  anonymous: true,
  response: z.object({ status: z.enum(['up', 'down']), components: z.record(z.string(), componentSchema) }),
  extraInputs: [df.input.durableClient()],
  handler: async ({ db, invocation }) => {
    const components: Record<string, ComponentHealth> = {
      database: await probe(() => sql`select 1`.execute(db)),
      blob: await checkBlobHealth(),
      bus: await probe(async () => {
        const publisher = await eventPublisher();
        if (publisher.health && !(await publisher.health())) throw new Error('the bus does not answer');
      }),
      durable: await probe(async () => {
        // An unknown instance answers 404 from a working backend; anything else is a failure.
        try {
          await df.getClient(invocation).getStatus('00000000-0000-0000-0000-000000000000');
        } catch (error) {
          if (!(error instanceof Error && /HTTP 404/.test(error.message))) throw error;
        }
      }),
    };
    const up = Object.values(components).every((c) => c.status === 'up');
    return { status: up ? 200 : 503, body: { status: up ? 'up' : 'down', components } };
  },
});

defineRoute({
  name: 'platform-openapi',
  method: 'GET',
  route: 'openapi.json',
  summary: 'This API as OpenAPI 3.1',
  tags: ['platform'],
  anonymous: true,
  handler: async () => ({ body: openApiDocument({ title: 'Tessera ERP API', version: '1.0.0' }) }),
});

const clientConfigSchema = z.object({
  entra: z
    .object({
      clientId: z.string(),
      authority: z.string(),
      scopes: z.array(z.string()),
    })
    .nullable()
    .meta({
      description:
        'How the web app signs users in with Entra ID; null when no Entra app is configured (local development, where the sign-in is local)',
    }),
});

defineRoute({
  name: 'platform-client-config',
  method: 'GET',
  route: 'client-config',
  summary: 'What the web app needs before anyone signs in: the Entra ID app it signs in with, if any',
  tags: ['platform'],
  anonymous: true,
  response: clientConfigSchema,
  handler: async () => {
    const config = settings();
    const clientId = config.WEB_AUTH_CLIENT_ID;
    if (!clientId) return { body: { entra: null } };
    const audience = config.AUTH_AUDIENCE.split(',')[0]?.trim();
    return {
      body: {
        entra: {
          clientId,
          // Multi-tenant: employees of every customer tenant sign in with their own organisation.
          authority: config.WEB_AUTH_AUTHORITY,
          scopes: [config.WEB_AUTH_SCOPE || `${audience}/access_as_user`],
        },
      },
    };
  },
});
