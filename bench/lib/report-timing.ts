/**
 * Timing a report three ways: through the API (HTTP, auth, the service, JSON), the product's service
 * called in this process (its SQL and exact-decimal arithmetic, no HTTP), and the best plain SQL for
 * the same answer, in a tenant transaction as the app role (the same row-level security). The three
 * take turns run by run, so that a change in the machine's load (other work shares it) falls on all
 * of them alike.
 */
import type pg from 'pg';
import type { Db, Tx } from '../../shared/platform/db/database.js';
import { withTenant } from '../../shared/platform/db/tenant.js';
import type { Api } from './api.js';
import { inTenantTx } from './db.js';
import { fmt, now, summarize, type LatencySummary } from './stats.js';

export interface ReportTimings {
  api: LatencySummary;
  service: LatencySummary;
  plain: LatencySummary;
}

export interface ReportCase {
  api: Api;
  path: string;
  db: Db;
  client: pg.Client;
  tenantId: string;
  service: (trx: Tx) => Promise<unknown>;
  sql: string;
  values: unknown[];
}

export async function timeReport(c: ReportCase, runs: number, warmup = 3): Promise<ReportTimings> {
  const ways: Record<keyof ReportTimings, () => Promise<unknown>> = {
    api: () => c.api.get(c.path),
    service: () => withTenant(c.db, c.tenantId, c.service),
    plain: () =>
      inTenantTx(c.client as unknown as pg.PoolClient, c.tenantId, () => c.client.query(c.sql, c.values)),
  };
  const times: Record<keyof ReportTimings, number[]> = { api: [], service: [], plain: [] };
  let slowest = 0;
  for (let i = 0; i < warmup + runs; i++) {
    // A report of seconds is timed 10 times rather than `runs`: its p50 is as clear, the run shorter.
    if (i === warmup && slowest > 500) runs = Math.min(runs, 10);
    for (const way of ['api', 'service', 'plain'] as const) {
      const start = now();
      await ways[way]();
      const ms = now() - start;
      if (i >= warmup) times[way].push(ms);
      else slowest = Math.max(slowest, ms);
    }
  }
  return { api: summarize(times.api), service: summarize(times.service), plain: summarize(times.plain) };
}

/** Plain SQL alone, in a tenant transaction as the app role. */
export async function timeSql(
  client: pg.Client,
  tenantId: string,
  text: string,
  values: unknown[],
  runs: number,
): Promise<LatencySummary> {
  const times: number[] = [];
  for (let i = 0; i < runs + 2; i++) {
    const start = now();
    await inTenantTx(client as unknown as pg.PoolClient, tenantId, () => client.query(text, values));
    if (i >= 2) times.push(now() - start);
  }
  return summarize(times);
}

/** What the API adds to the service: HTTP, auth and JSON, or "none measurable" when the noise is larger. */
export function httpPart(api: LatencySummary, service: LatencySummary): string {
  const ms = api.p50 - service.p50;
  return ms < 0.5 ? 'none measurable' : `${fmt(ms, 1)} ms`;
}
