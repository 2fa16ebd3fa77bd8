import { describe, expect, it } from 'vitest';
import { textOf } from '../test/blob';
import { ApiClient, ApiError } from './client';

interface Sent {
  url: URL;
  method: string;
  headers: Record<string, string>;
  body: BodyInit | null | undefined;
}

/** A client whose fetch records what is sent and answers with `answer`. */
function clientAnswering(answer: () => Response) {
  const sent: Sent[] = [];
  let unauthorized = 0;
  const api = new ApiClient({
    getToken: async () => 'token-1',
    onUnauthorized: () => unauthorized++,
    fetch: async (input, init) => {
      sent.push({
        url: new URL(String(input)),
        method: init?.method ?? 'GET',
        headers: (init?.headers ?? {}) as Record<string, string>,
        body: init?.body,
      });
      return answer();
    },
  });
  return { api, sent, unauthorized: () => unauthorized };
}

const json = (status: number, body: unknown, type = 'application/json') =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': type } });

describe('ApiClient', () => {
  it('sends the latest consistency token a write answered with on the reads that follow', async () => {
    const answers = [
      () => json(200, {}),
      () =>
        new Response('{}', {
          status: 201,
          headers: { 'content-type': 'application/json', 'x-consistency-token': '0/3A1F2B8' },
        }),
      () => json(200, {}),
      // An older position (another request finished later) does not replace the newer one.
      () =>
        new Response('{}', {
          status: 201,
          headers: { 'content-type': 'application/json', 'x-consistency-token': '0/1FFFFFF' },
        }),
      () =>
        new Response('{}', {
          status: 201,
          headers: { 'content-type': 'application/json', 'x-consistency-token': 'nonsense' },
        }),
      () => json(200, {}),
      () =>
        new Response('{}', {
          status: 201,
          headers: { 'content-type': 'application/json', 'x-consistency-token': '1/00000010' },
        }),
      () => json(200, {}),
    ];
    let n = 0;
    const { api, sent } = clientAnswering(() => answers[n++]!());
    await api.get('v1/accounting/reports/trial-balance');
    await api.post('v1/accounting/journal-entries', {});
    await api.get('v1/accounting/reports/trial-balance');
    await api.post('v1/accounting/journal-entries', {});
    await api.post('v1/accounting/journal-entries', {});
    await api.get('v1/accounting/reports/trial-balance');
    await api.post('v1/accounting/journal-entries', {});
    await api.get('v1/accounting/reports/trial-balance');
    const tokens = sent.map((s) => [s.method, s.headers['X-Consistency-Token']]);
    expect(tokens).toEqual([
      ['GET', undefined],
      ['POST', undefined],
      ['GET', '0/3A1F2B8'],
      ['POST', undefined],
      ['POST', undefined],
      ['GET', '0/3A1F2B8'],
      ['POST', undefined],
      ['GET', '1/00000010'],
    ]);
  });

  it('sends JSON with the bearer token, an Idempotency-Key on POST and If-Match on a change', async () => {
    const { api, sent } = clientAnswering(() => json(200, { ok: true }));
    await api.post('v1/sales/quotes', { customerId: 'c' }, { idempotencyKey: 'key-1' });
    await api.patch('/v1/admin/tenant', { name: 'Demo' }, 7);

    expect(sent[0]!.url.pathname).toBe('/api/v1/sales/quotes');
    expect(sent[0]!.headers).toMatchObject({
      Authorization: 'Bearer token-1',
      'Content-Type': 'application/json',
      'Idempotency-Key': 'key-1',
    });
    expect(sent[0]!.body).toBe('{"customerId":"c"}');
    expect(sent[1]!.method).toBe('PATCH');
    expect(sent[1]!.headers['If-Match']).toBe('"7"');
    expect(sent[1]!.headers['Idempotency-Key']).toBeUndefined();
  });

  it("uploads a file's bytes as the body, with its type, the query, the token and an Idempotency-Key", async () => {
    const { api, sent } = clientAnswering(() => json(201, { id: 'd1' }));
    const file = new File(['%PDF-1.4 tiny'], 'quote.pdf', { type: 'application/pdf' });

    const stored = await api.upload<{ id: string }>('v1/documents', file, {
      query: { recordType: 'quote', recordId: 'q1', fileName: 'quote.pdf' },
      idempotencyKey: 'upload-1',
    });

    expect(stored).toEqual({ id: 'd1' });
    const [request] = sent;
    expect(request!.method).toBe('POST');
    expect(request!.url.pathname).toBe('/api/v1/documents');
    expect(Object.fromEntries(request!.url.searchParams)).toEqual({
      recordType: 'quote',
      recordId: 'q1',
      fileName: 'quote.pdf',
    });
    expect(request!.headers).toMatchObject({
      Authorization: 'Bearer token-1',
      'Content-Type': 'application/pdf',
      'Idempotency-Key': 'upload-1',
    });
    // The very file, not JSON: fetch streams its bytes.
    expect(request!.body).toBe(file);
    expect(await textOf(request!.body as Blob)).toBe('%PDF-1.4 tiny');
  });

  it('uploads a file of no known type, or of a JSON type, as octet-stream and gives each upload its own key', async () => {
    const { api, sent } = clientAnswering(() => json(201, {}));
    await api.upload('v1/documents', new File(['a'], 'notes'));
    await api.upload('v1/documents', new File(['{}'], 'data.json', { type: 'application/json' }));

    expect(sent.map((s) => s.headers['Content-Type'])).toEqual([
      'application/octet-stream',
      'application/octet-stream',
    ]);
    const keys = sent.map((s) => s.headers['Idempotency-Key']);
    expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(keys[1]).not.toBe(keys[0]);
  });

  it('turns a refused upload into an ApiError with the problem and its field errors', async () => {
    const problem = {
      type: 'about:blank',
      title: 'Unsupported Media Type',
      status: 415,
      detail: 'Files of type application/x-msdownload (.exe) are not accepted.',
      code: 'documents.type_refused',
      errors: [{ path: 'file', message: 'Not accepted' }],
    };
    const { api } = clientAnswering(() => json(415, problem, 'application/problem+json'));

    const error = await api
      .upload('v1/documents', new File(['MZ'], 'setup.exe', { type: 'application/x-msdownload' }))
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(415);
    expect((error as ApiError).problem.code).toBe('documents.type_refused');
    expect((error as ApiError).fieldErrors).toEqual([{ path: 'file', message: 'Not accepted' }]);
    expect((error as ApiError).message).toBe(problem.detail);
  });

  it('ends the session on a 401 from an upload', async () => {
    const { api, unauthorized } = clientAnswering(() =>
      json(401, { status: 401, title: 'Unauthorized' }, 'application/problem+json'),
    );
    await expect(api.upload('v1/documents', new File(['a'], 'a.txt'))).rejects.toBeInstanceOf(ApiError);
    expect(unauthorized()).toBe(1);
  });
});
