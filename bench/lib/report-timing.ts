/** Timing a report through the API and its plain-SQL counterpart, the same number of times, one after the other. */
import type pg from 'pg';
import type { Db, Tx } from '../../shared/platform/db/database.js';
import { withTenant } from '../../shared/platform/db/tenant.js';
import type { Api } from './api.js';
import { inTenantTx } from './db.js';
import { summarize, timeRuns, type LatencySummary } from './stats.js';

export async function timeApi(api: Api, path: string, runs: number): Promise<LatencySummary> {
  return summarize(await timeRuns(() => api.get(path), runs, 3));
}

/** Plain SQL in a tenant transaction as the app role (the same row-level security the API runs under). */
export async function timeSql(
  client: pg.Client | pg.PoolClient,
  tenantId: string,
  text: string,
  values: unknown[],
  runs: number,
): Promise<LatencySummary> {
  return summarize(
    await timeRuns(
      () => inTenantTx(client as pg.PoolClient, tenantId, () => client.query(text, values)),
      runs,
      3,
    ),
  );
}

/** The product's service called in this process (no HTTP, no auth, no JSON): what the report costs inside the app. */
export async function timeService(
  db: Db,
  tenantId: string,
  work: (trx: Tx) => Promise<unknown>,
  runs: number,
): Promise<LatencySummary> {
  return summarize(await timeRuns(() => withTenant(db, tenantId, work), runs, 3));
}
