import { promises as fs } from 'node:fs';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import azureFunctions, { type HttpResponseInit } from '@azure/functions';
import type { FunctionHost } from './host.js';
import { compileRoute, matchRoute, sortRoutes, type CompiledRoute } from './routing.js';

// Classes come from the module object: Node's ESM loader does not see them as named exports.
const { HttpRequest, HttpResponse } = azureFunctions;

/** A request as the devhost's own endpoints (dev issuer, durable API) see it. */
export interface DevRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: Record<string, string>;
  body: Buffer;
}

export interface DevResponse {
  status: number;
  headers: Record<string, string>;
  body: string | Buffer;
}

export type DevEndpoint = (request: DevRequest) => Promise<DevResponse | undefined>;

/** The Functions host's own limit on a request body. */
const REQUEST_BYTES_MAX = 100 * 1024 * 1024;

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
};

export interface HttpServerOptions {
  host: FunctionHost;
  routePrefix: string;
  endpoints: DevEndpoint[];
  staticDir: string | undefined;
  onError: (error: unknown) => void;
}

/**
 * The devhost's HTTP front: the devhost's own endpoints first, then `/{routePrefix}/…` routed to
 * the registered HTTP functions by their route templates, then the built web app with a
 * navigation fallback to index.html.
 */
export class DevhostHttpServer {
  readonly #options: HttpServerOptions;
  readonly #server: http.Server;
  #routes: CompiledRoute[] | undefined;

  constructor(options: HttpServerOptions) {
    this.#options = options;
    this.#server = http.createServer((req, res) => {
      this.#handle(req, res).catch((error: unknown) => {
        options.onError(error);
        if (!res.headersSent) send(res, problem(500, 'The devhost failed to handle the request.'));
        else res.destroy();
      });
    });
    this.#server.keepAliveTimeout = 5_000;
  }

  async listen(port: number, hostname: string): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(port, hostname, () => resolve());
    });
    const address = this.#server.address() as AddressInfo;
    return `http://${hostname === '0.0.0.0' || hostname === '127.0.0.1' ? 'localhost' : hostname}:${address.port}`;
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #compiledRoutes(): CompiledRoute[] {
    this.#routes ??= sortRoutes(this.#options.host.byTrigger('httpTrigger').map(compileRoute));
    return this.#routes;
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', `http://${req.headers.host ?? 'localhost'}`);
    const body = await readBody(req);
    if (body === undefined) return send(res, problem(413, 'The request body is too large.'));
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
    }
    const method = (req.method ?? 'GET').toUpperCase();

    for (const endpoint of this.#options.endpoints) {
      const response = await endpoint({ method, path: url.pathname, query: url.searchParams, headers, body });
      if (response) return send(res, response);
    }

    const prefix = `/${this.#options.routePrefix}/`;
    if (url.pathname.startsWith(prefix) || url.pathname === prefix.slice(0, -1)) {
      return send(
        res,
        await this.#invokeHttpFunction(method, url, headers, body, url.pathname.slice(prefix.length)),
      );
    }
    return send(res, await this.#serveStatic(method, url.pathname));
  }

  async #invokeHttpFunction(
    method: string,
    url: URL,
    headers: Record<string, string>,
    body: Buffer,
    routePath: string,
  ): Promise<DevResponse> {
    let pathMatched = false;
    for (const route of this.#compiledRoutes()) {
      const params = matchRoute(route, routePath);
      if (!params) continue;
      pathMatched = true;
      if (!route.methods.includes(method)) continue;
      const request = new HttpRequest({
        method,
        url: url.toString(),
        headers,
        query: Object.fromEntries(url.searchParams),
        params,
        body: body.length > 0 ? { bytes: body } : undefined,
      });
      const { result } = await this.#options.host.invoke(route.fn, request);
      return toDevResponse(result);
    }
    return pathMatched
      ? problem(405, `${method} is not allowed here.`)
      : problem(404, 'No API route matches this path.');
  }

  async #serveStatic(method: string, pathname: string): Promise<DevResponse> {
    const root = this.#options.staticDir;
    if (method !== 'GET' && method !== 'HEAD') return problem(405, 'Only GET is allowed here.');
    if (!root) return problem(404, 'No web app is served: web/dist does not exist.');
    const resolved = path.resolve(root, `.${decodeURIComponent(pathname)}`);
    if (!resolved.startsWith(path.resolve(root))) return problem(404, 'Not found.');
    let file = resolved;
    const stat = await fs.stat(file).catch(() => undefined);
    if (!stat?.isFile()) {
      // Navigation fallback: client-side routes get the app shell; missing assets get a 404.
      if (path.extname(pathname)) return problem(404, 'Not found.');
      file = path.join(root, 'index.html');
    }
    const content = await fs.readFile(file).catch(() => undefined);
    if (!content) return problem(404, 'No web app is served: web/dist does not exist.');
    const immutable = file.includes(`${path.sep}assets${path.sep}`);
    return {
      status: 200,
      headers: {
        'Content-Type': contentTypes[path.extname(file)] ?? 'application/octet-stream',
        'Cache-Control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
        'X-Content-Type-Options': 'nosniff',
      },
      body: content,
    };
  }
}

async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > REQUEST_BYTES_MAX) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** The common answer, a status with plain headers and a text body, written without a web stream. */
function plainTextResponse(result: unknown): DevResponse | undefined {
  if (typeof result !== 'object' || result === null || result instanceof HttpResponse) return undefined;
  const { status, headers, body, ...rest } = result as HttpResponseInit;
  if (Object.keys(rest).length > 0 || (body !== undefined && typeof body !== 'string')) return undefined;
  if (
    headers !== undefined &&
    (typeof headers !== 'object' || Array.isArray(headers) || headers instanceof Headers)
  )
    return undefined;
  // As the Functions host answers it: header names in lower case, a text body typed text/plain.
  const named: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) named[name.toLowerCase()] = String(value);
  if (typeof body === 'string') named['content-type'] ??= 'text/plain;charset=UTF-8';
  return { status: status ?? 200, headers: named, body: body ?? '' };
}

async function toDevResponse(result: unknown): Promise<DevResponse> {
  const plain = plainTextResponse(result);
  if (plain) return plain;
  const response =
    result instanceof HttpResponse ? result : new HttpResponse((result ?? {}) as HttpResponseInit);
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    headers[name] = value;
  });
  const body = Buffer.from(await response.arrayBuffer());
  return { status: response.status, headers, body };
}

function problem(status: number, detail: string): DevResponse {
  return {
    status,
    headers: { 'Content-Type': 'application/problem+json' },
    body: JSON.stringify({
      type: 'about:blank',
      title: http.STATUS_CODES[status] ?? 'Error',
      status,
      detail,
    }),
  };
}

function send(res: ServerResponse, response: DevResponse): void {
  res.writeHead(response.status, response.headers);
  res.end(response.body);
}
