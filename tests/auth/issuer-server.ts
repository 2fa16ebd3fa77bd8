import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DevIssuer } from '../../devhost/auth/dev-issuer.js';
import { inMemoryTenantDirectory, type TenantRef } from '../../shared/platform/auth/tenant-directory.js';

export const AUDIENCE = 'api://tessera-erp-test';

export const tenants = {
  demo: {
    id: '0b6a3f52-7c1e-4d8a-9e2f-1a3b5c7d9e01',
    slug: 'demo',
    entraTenantId: 'a1f0c9e4-2b7d-4e6a-8c15-3d9f7b2e4a10',
    status: 'active',
  },
  acme: {
    id: '4c2e8a16-9d3b-4f7e-a1c5-6e8b0d2f4a02',
    slug: 'acme',
    entraTenantId: 'b2e1dad5-3c8e-4f7b-9d26-4eaf8c3f5b21',
    status: 'active',
  },
  dormant: {
    id: '7e4a1c38-2f6d-4b9a-8e07-9c1b3d5f7a03',
    slug: 'dormant',
    entraTenantId: 'c3f2ebe6-4d9f-4a8c-ae37-5fb09d4a6c32',
    status: 'suspended',
  },
} satisfies Record<string, TenantRef>;

export const directory = inMemoryTenantDirectory(Object.values(tenants));

const BODY_BYTES_MAX = 64 * 1024;

export interface ServedIssuer {
  issuer: DevIssuer;
  baseUrl: string;
  /** How many times the JWKS was fetched: shows whether a validator went back to the provider. */
  jwksFetches(): number;
  close(): Promise<void>;
}

/**
 * A dev issuer behind a real HTTP server on a free port, so validators fetch its JWKS over HTTP
 * exactly as they fetch Entra's in production.
 */
export async function serveDevIssuer(): Promise<ServedIssuer> {
  let baseUrl = '';
  let fetches = 0;
  const issuer = await DevIssuer.create({ baseUrl: () => baseUrl, directory, audience: AUDIENCE });
  const server: Server = createServer((req, res) => {
    void (async () => {
      try {
        const body = await readBody(req);
        const path = req.url ?? '/';
        if (path.startsWith('/dev-issuer/keys')) fetches += 1;
        const reply = await issuer.handleHttp({
          method: req.method ?? 'GET',
          path,
          body,
          headers: req.headers,
        });
        if (!reply) {
          res.writeHead(404).end();
          return;
        }
        res.writeHead(reply.status, reply.headers).end(reply.body);
      } catch (error) {
        res.writeHead(500, { 'content-type': 'text/plain' }).end(String(error));
      }
    })();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    issuer,
    baseUrl,
    jwksFetches: () => fetches,
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    // Past the limit the rest is drained and dropped; the issuer refuses the oversized request.
    if (size <= BODY_BYTES_MAX) chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}
