/**
 * One contract for every archive store: the PostgreSQL store always, Cosmos DB when
 * COSMOS_ENDPOINT names an account this machine may use (the pipeline's integration stage, signed
 * in with its identity). Then the shipper end to end through the devhost: what the app publishes
 * and audits arrives in the archive once.
 */
import { randomUUID } from 'node:crypto';
import { DefaultAzureCredential } from '@azure/identity';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_TENANTS } from '../../shared/modules/admin/index.js';
import {
  PostgresArchiveStore,
  shipToArchive,
  type ArchiveRecord,
  type ArchiveStore,
} from '../../shared/platform/archive/index.js';
import { startTestDevhost } from '../support/devhost.js';

const devhost = await startTestDevhost();
afterAll(() => devhost.close());
const [demo, acme] = DEMO_TENANTS.map((t) => t.id) as [string, string];

const stores: [string, () => Promise<ArchiveStore>][] = [
  ['postgres', async () => new PostgresArchiveStore(() => devhost.db)],
];
const cosmosEndpoint = process.env.COSMOS_ENDPOINT;
if (cosmosEndpoint) {
  stores.push([
    'cosmos',
    async () => {
      const { CosmosArchiveStore } = await import('../../shared/platform/archive/cosmos-store.js');
      return new CosmosArchiveStore({
        endpoint: cosmosEndpoint,
        database: process.env.COSMOS_DATABASE ?? 'tessera',
        credential: new DefaultAzureCredential(),
      });
    },
  ]);
} else {
  console.log(
    'archive contract: the Cosmos DB store is not run here (set COSMOS_ENDPOINT to run it against an account)',
  );
}

describe.each(stores)('the %s archive store', (_name, make) => {
  let store: ArchiveStore;
  // Each run uses fresh ids and its own time window, so a shared Cosmos account holds no surprises.
  const base = Date.UTC(2026, 9, 1) + Math.floor(Math.random() * 1e6) * 1000;
  const at = (minutes: number) => new Date(base + minutes * 60_000).toISOString();
  const records = (tenantId: string, n: number, type = 'sales.SalesOrderConfirmed'): ArchiveRecord[] =>
    Array.from({ length: n }, (_, i) => ({
      id: randomUUID(),
      tenantId,
      at: at(i),
      type,
      subjectType: 'sales_order',
      subjectId: `SO-${i}`,
      data: { total: { amount: '1234567890123.4567', currency: 'ZAR' }, line: i, note: 'Ünïcödé ✓' },
    }));
  let demoRecords: ArchiveRecord[];

  beforeAll(async () => {
    store = await make();
    demoRecords = records(demo, 7);
    await store.put('events', demoRecords);
    await store.put('events', records(acme, 3));
    await store.put('audit', records(demo, 2, 'approval.approved'));
  });
  afterAll(() => store.close?.());

  const window = { from: at(0), to: at(60) };

  it('keeps a record as it was given, exact decimals and text included', async () => {
    const first = demoRecords[0]!;
    expect(await store.get('events', demo, first.id)).toEqual(first);
  });

  it('stores a record once however often it is put', async () => {
    const again = { ...demoRecords[1]!, type: 'changed.Type' };
    await store.put('events', [again, again]);
    expect(await store.get('events', demo, again.id)).toEqual(demoRecords[1]);
    const page = await store.list('events', demo, { limit: 50, ...window });
    expect(page.items.filter((r) => r.id === again.id)).toHaveLength(1);
  });

  it("lists one tenant's records newest first, page by page, and nothing of another tenant's", async () => {
    const seen: ArchiveRecord[] = [];
    let cursor: string | undefined;
    do {
      const page = await store.list('events', demo, { limit: 3, cursor, ...window });
      expect(page.items.length).toBeLessThanOrEqual(3);
      seen.push(...page.items);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen.map((r) => r.id)).toEqual([...demoRecords].reverse().map((r) => r.id));
    expect(seen.every((r) => r.tenantId === demo)).toBe(true);
    expect(await store.get('events', acme, demoRecords[0]!.id)).toBeUndefined();
    const acmePage = await store.list('events', acme, { limit: 50, ...window });
    expect(acmePage.items).toHaveLength(3);
  });

  it('filters by type, subject and time, and keeps the streams apart', async () => {
    const bySubject = await store.list('events', demo, {
      limit: 50,
      subjectType: 'sales_order',
      subjectId: 'SO-2',
      ...window,
    });
    expect(bySubject.items.map((r) => r.id)).toEqual([demoRecords[2]!.id]);
    const byTime = await store.list('events', demo, { limit: 50, from: at(3), to: at(5) });
    expect(byTime.items.map((r) => r.id)).toEqual([demoRecords[4]!.id, demoRecords[3]!.id]);
    const byType = await store.list('events', demo, { limit: 50, type: 'approval.approved', ...window });
    expect(byType.items).toEqual([]);
    const audit = await store.list('audit', demo, { limit: 50, type: 'approval.approved', ...window });
    expect(audit.items).toHaveLength(2);
  });

  it('refuses a cursor it did not issue, naming it', async () => {
    await expect(store.list('events', demo, { limit: 5, cursor: '!!not a cursor!!' })).rejects.toMatchObject({
      kind: 'validation',
    });
  });
});

describe('shipping to the archive', () => {
  it('copies every published event and every audit record once, and the API reads them', async () => {
    const admin = await devhost.as('demo', 'ada', ['Admin']);
    const changed = await admin.patch('/api/v1/admin/tenant', { locale: 'en-ZA' }, { 'if-match': '"1"' });
    expect(changed.status, changed.text).toBe(200);
    await devhost.settle();
    await devhost.timers.fire('platform-archive');
    await devhost.timers.fire('platform-archive');
    const ids = async (query: ReturnType<typeof sql<{ id: string }>>) =>
      new Set((await query.execute(devhost.db)).rows.map((r) => r.id));
    const published = await ids(sql<{ id: string }>`select id from outbox where published_at is not null`);
    const audited = await ids(sql<{ id: string }>`select id from audit_log`);
    const archivedEvents = await ids(
      sql<{ id: string }>`select id from archive_records where stream = 'events'`,
    );
    const archivedAudit = await ids(
      sql<{ id: string }>`select id from archive_records where stream = 'audit'`,
    );
    expect(published.size).toBeGreaterThan(0);
    expect([...published].filter((id) => !archivedEvents.has(id))).toEqual([]);
    expect([...audited].filter((id) => !archivedAudit.has(id))).toEqual([]);
    const again = await shipToArchive(devhost.db, new PostgresArchiveStore(() => devhost.db));
    expect(again).toEqual({ events: 0, audit: 0 });

    const events = await admin.get('/api/v1/admin/archive/events?type=admin.TenantSettingsChanged');
    expect(events.status, events.text).toBe(200);
    expect(events.body.items).toHaveLength(1);
    expect(events.body.items[0].data.payload.changed).toEqual(['locale']);
    const audit = await admin.get('/api/v1/admin/archive/audit?action=tenant.settings_changed');
    expect(audit.body.items).toHaveLength(1);
    expect(audit.body.items[0]).toMatchObject({ subjectType: 'tenant', subjectId: demo });
    const other = await devhost.as('acme', 'ada', ['Admin']);
    const theirs = await other.get('/api/v1/admin/archive/audit?action=tenant.settings_changed');
    expect(theirs.body.items).toEqual([]);
  });
});
