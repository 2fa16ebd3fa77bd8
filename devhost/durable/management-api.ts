import type { DurableDriver } from './driver.js';
import { InstanceExistsError, UnknownFunctionError } from './driver.js';
import type { RuntimeStatus } from './turn.js';

/**
 * The Durable extension's HTTP management API (HttpApiHandler), which `DurableClient` calls:
 * start, status, list, raise event, terminate, suspend, resume, purge. Paths, status codes and
 * bodies follow the extension; the devhost checks no system key (as `func start` locally).
 */

export interface ManagementRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: Record<string, string>;
  body: Buffer;
}

export interface ManagementResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

const RUNTIME_STATUSES: readonly RuntimeStatus[] = [
  'Pending',
  'Running',
  'Completed',
  'ContinuedAsNew',
  'Failed',
  'Terminated',
  'Suspended',
];

const json = (status: number, body: unknown, headers: Record<string, string> = {}): ManagementResponse => ({
  status,
  headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
  body: JSON.stringify(body),
});
const empty = (status: number): ManagementResponse => ({ status, headers: {}, body: '' });
const error = (status: number, message: string, exception?: unknown): ManagementResponse =>
  json(status, {
    Message: message,
    ...(exception instanceof Error
      ? { ExceptionMessage: exception.message, ExceptionType: exceptionType(exception) }
      : {}),
  });

function exceptionType(exception: Error): string {
  if (exception instanceof InstanceExistsError) return 'System.InvalidOperationException';
  if (exception instanceof UnknownFunctionError) return 'System.ArgumentException';
  return 'System.Exception';
}

/** `bool.TryParse`: "true"/"false" in any case; anything else is absent. */
function bool(query: URLSearchParams, name: string): boolean | undefined {
  const value = query.get(name)?.toLowerCase();
  return value === 'true' ? true : value === 'false' ? false : undefined;
}

function date(query: URLSearchParams, name: string): Date | undefined {
  const value = query.get(name);
  if (!value) return undefined;
  const parsed = new Date(value);
  return Number.isNaN(parsed.getTime()) ? undefined : parsed;
}

function statuses(query: URLSearchParams): RuntimeStatus[] {
  return query
    .getAll('runtimeStatus')
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter((v): v is RuntimeStatus => (RUNTIME_STATUSES as string[]).includes(v));
}

/** JSON of the body, `null` when empty; `undefined` signals malformed JSON. */
function jsonBody(body: Buffer): { value: unknown } | undefined {
  const text = body.toString('utf8');
  if (text.trim() === '') return { value: undefined };
  try {
    return { value: JSON.parse(text) as unknown };
  } catch {
    return undefined;
  }
}

function managementPayload(driver: DurableDriver, instanceId: string): Record<string, string> {
  const urls = (driver.clientBinding().managementUrls ?? {}) as Record<string, string>;
  const payload: Record<string, string> = { id: instanceId };
  for (const [key, value] of Object.entries(urls)) {
    if (key !== 'id') payload[key] = value.replace('INSTANCEID', encodeURIComponent(instanceId));
  }
  return payload;
}

export async function handleManagementRequest(
  driver: DurableDriver,
  subPath: string,
  req: ManagementRequest,
): Promise<ManagementResponse> {
  let segments: string[];
  try {
    segments = subPath.split('/').filter(Boolean).map(decodeURIComponent);
  } catch {
    return error(400, 'The request path is not valid.');
  }
  const method = req.method.toUpperCase();
  const [controller, first, operation, eventName] = segments;

  if (controller === 'orchestrators' && first) {
    if (method !== 'POST' || segments.length > 3) return empty(404);
    const body = jsonBody(req.body);
    if (!body) return error(400, 'Invalid JSON content');
    try {
      const instanceId = await driver.startNew(first, {
        instanceId: segments[2] || undefined,
        input: body.value,
        version: req.query.get('version') ?? undefined,
      });
      const payload = managementPayload(driver, instanceId);
      return json(202, payload, { location: payload.statusQueryGetUri ?? '', 'retry-after': '10' });
    } catch (caught) {
      if (caught instanceof UnknownFunctionError)
        return error(400, 'One or more of the arguments submitted is incorrect', caught);
      if (caught instanceof InstanceExistsError)
        return error(500, 'Something went wrong while processing your request', caught);
      throw caught;
    }
  }

  if (controller !== 'instances') return empty(404);

  if (!first) {
    if (method === 'GET') {
      const pageSize = Number(req.query.get('top') ?? '100');
      const token = req.headers['x-ms-continuation-token'];
      let after: { createdAt: Date; instanceId: string } | undefined;
      if (token) {
        try {
          const decoded = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as {
            c: string;
            i: string;
          };
          after = { createdAt: new Date(decoded.c), instanceId: decoded.i };
        } catch {
          return error(400, 'The continuation token is not valid.');
        }
      }
      const page = await driver.listInstances(
        {
          runtimeStatus: statuses(req.query),
          createdTimeFrom: date(req.query, 'createdTimeFrom'),
          createdTimeTo: date(req.query, 'createdTimeTo'),
          instanceIdPrefix: req.query.get('instanceIdPrefix') ?? undefined,
          pageSize: Number.isInteger(pageSize) && pageSize > 0 ? pageSize : 100,
          after,
        },
        { showInput: bool(req.query, 'showInput') },
      );
      const headers: Record<string, string> = {};
      if (page.next) {
        headers['x-ms-continuation-token'] = Buffer.from(
          JSON.stringify({ c: page.next.created_at.toISOString(), i: page.next.instance_id }),
        ).toString('base64url');
      }
      return json(200, page.items, headers);
    }
    if (method === 'DELETE') {
      const from = date(req.query, 'createdTimeFrom');
      if (!from) return json(400, "Please provide value for 'createdTimeFrom' parameter.");
      const deleted = await driver.purgeWhere({
        createdTimeFrom: from,
        createdTimeTo: date(req.query, 'createdTimeTo') ?? new Date(),
        runtimeStatus: statuses(req.query),
      });
      return deleted === 0 ? empty(404) : json(200, { instancesDeleted: deleted });
    }
    return empty(404);
  }

  const instanceId = first;
  if (!operation) {
    if (method === 'GET') {
      const status = await driver.getStatus(instanceId, {
        showHistory: bool(req.query, 'showHistory') ?? false,
        showHistoryOutput: bool(req.query, 'showHistoryOutput') ?? false,
        showInput: bool(req.query, 'showInput') ?? true,
      });
      if (!status) return empty(404);
      switch (status.runtimeStatus) {
        case 'Running':
        case 'Pending':
        case 'ContinuedAsNew':
        case 'Suspended':
          return json(202, status, { location: requestUrl(driver, req), 'retry-after': '5' });
        case 'Failed':
          return json(bool(req.query, 'returnInternalServerErrorOnFailure') ? 500 : 200, status);
        default:
          return json(200, status);
      }
    }
    if (method === 'DELETE') {
      const status = await driver.getStatus(instanceId);
      if (!status) return empty(404);
      return json(200, { instancesDeleted: await driver.purge(instanceId) });
    }
    return empty(404);
  }

  if (method !== 'POST') return empty(404);
  const reason = req.query.get('reason') ?? undefined;
  const outcomeResponse = (outcome: 'accepted' | 'gone' | 'not-found'): ManagementResponse =>
    empty(outcome === 'accepted' ? 202 : outcome === 'gone' ? 410 : 404);
  switch (operation.toLowerCase()) {
    case 'raiseevent': {
      if (!eventName || segments.length > 4) return empty(404);
      const contentType = (req.headers['content-type'] ?? 'application/json')
        .split(';')[0]
        ?.trim()
        .toLowerCase();
      if (contentType !== 'application/json')
        return error(400, 'Only application/json request content is supported');
      const body = jsonBody(req.body);
      if (!body) return error(400, 'Invalid JSON content');
      return outcomeResponse(await driver.raiseEvent(instanceId, eventName, body.value ?? null));
    }
    case 'terminate':
      return outcomeResponse(await driver.terminate(instanceId, reason));
    case 'suspend':
      return outcomeResponse(await driver.suspend(instanceId, reason));
    case 'resume':
      return outcomeResponse(await driver.resume(instanceId, reason));
    case 'rewind':
    case 'restart':
      return error(501, `The devhost does not support the ${operation} operation.`);
    default:
      return empty(404);
  }
}

function requestUrl(driver: DurableDriver, req: ManagementRequest): string {
  const query = req.query.toString();
  return `${driver.clientBinding().baseUrl as string}${req.path.slice('/runtime/webhooks/durabletask'.length)}${query ? `?${query}` : ''}`;
}
