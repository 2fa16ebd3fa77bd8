import { mkdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { sql } from 'kysely';
import type { PoolConfig } from 'pg';
import { configureBlobService } from '../shared/platform/blob/storage.js';
import { resetSettings } from '../shared/platform/config.js';
import { configureDatabases, createDb, createPool, type Db } from '../shared/platform/db/database.js';
import { migrateToLatest } from '../shared/platform/db/migrator.js';
import { configureEventPublisher } from '../shared/platform/events/publisher.js';
import {
  nudgeOutboxRelay,
  outboxRelayedCount,
  outboxRelayIdle,
} from '../shared/platform/events/relay-trigger.js';
import { relayOutbox } from '../shared/platform/events/relay.js';
import { databaseTenantDirectory, DEMO_TENANTS, seedDemoTenants } from '../shared/modules/admin/index.js';
import { resetTokenValidator } from '../shared/platform/auth/token-validator.js';
import type { Role } from '../shared/platform/auth/roles.js';
import { DevIssuer } from './auth/dev-issuer.js';
import { TeamsEmulator } from './teams/emulator.js';
import { MailCatcher } from './mail/catcher.js';
import { emailDeliveryIdle } from '../shared/modules/notifications/index.js';
import { configureBotConnectorCredential, resetBotAuthenticator } from '../shared/modules/teams/index.js';
import { seedDemoLedger } from './seed/demo-ledger.js';
import { seedDemoInventory } from './seed/demo-inventory.js';
import { seedDemoSales } from './seed/demo-sales.js';
import { seedDemoTrade } from './seed/demo-trade.js';
import { startAzurite } from './blob/azurite.js';
import { BusEmulator } from './bus/emulator.js';
import { migrateDevhost } from './db/migrator.js';
import { DurableDriver } from './durable/driver.js';
import { setFunctionsCoreSink } from './functions-core.js';
import { FunctionHost, type LogSink } from './host.js';
import { DevhostHttpServer, type DevRequest } from './http-server.js';
import { TimerScheduler } from './timers/scheduler.js';

const here = path.dirname(fileURLToPath(import.meta.url));
/** The project root, whether this file runs from source (devhost/) or compiled (dist/devhost/). */
const projectRoot =
  path.basename(path.dirname(here)) === 'dist' ? path.resolve(here, '../..') : path.resolve(here, '..');
const sourceExtension = path.extname(fileURLToPath(import.meta.url));

export interface DevhostOptions {
  /** 7071 by default, as `func start`; 0 picks a free port. */
  port?: number;
  hostname?: string;
  /** Where the embedded database and Azurite keep their files; `.data` by default. */
  dataDir?: string;
  /** A database the caller owns (tests); otherwise `DATABASE_URL`, otherwise PGlite under dataDir. */
  db?: Db;
  /**
   * The read replica reports read from, a database the caller owns (tests); otherwise
   * `DATABASE_READ_URL` when the devhost opens `DATABASE_URL` itself; otherwise the primary.
   */
  readDb?: Db;
  /** Keep blobs in memory instead of under dataDir (tests). */
  blobInMemory?: boolean;
  /** Create the demo tenants when missing (on by default). */
  seed?: boolean;
  /** Give a fresh demo tenant a year of transactions (on by default; tests start with empty books). */
  demoData?: boolean;
  /** Run timer triggers on their schedules (on by default; tests fire them by name). */
  timers?: boolean;
  log?: LogSink;
  /**
   * How long a message lock or an activity lease lasts before another worker may take it over
   * (Service Bus lock duration and the Durable lease; 60 s by default, as in Azure). Tests that
   * kill the devhost shorten it.
   */
  leaseMs?: number;
}

export interface Devhost {
  url: string;
  db: Db;
  /** Which database it runs on, for people. */
  databaseDescription: string;
  host: FunctionHost;
  issuer: DevIssuer;
  /** Microsoft Teams and the Bot Framework, played locally: cards captured, buttons pressed. */
  teams: TeamsEmulator;
  /** The app's email provider locally: every email it sends, at `/dev/mail`. */
  mail: MailCatcher;
  bus: BusEmulator;
  durable: DurableDriver;
  timers: TimerScheduler;
  /** A dev access token, as `POST /api/dev/token` issues it. */
  token(tenant: string, user: string, roles: Role[]): Promise<string>;
  /** Relays the outbox, drains the bus and runs durable work until nothing is left (tests). */
  settle(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

let loadedApp: FunctionHost | undefined;

/**
 * Loads the app's registrations once per module graph: importing the entry point runs every
 * `app.*` and `df.app.*` call, which the functions-core stand-in hands to the host.
 */
async function loadApp(log: LogSink | undefined): Promise<FunctionHost> {
  if (loadedApp) {
    if (log) loadedApp.setLogSink(log);
    return loadedApp;
  }
  const host = new FunctionHost(log);
  setFunctionsCoreSink(host);
  const entry = path.join(here, '..', 'functions', `index${sourceExtension === '.ts' ? '.ts' : '.js'}`);
  await import(pathToFileURL(entry).href);
  loadedApp = host;
  return host;
}

async function openDatabase(
  options: DevhostOptions,
  dataDir: string,
): Promise<{ db: Db; readDb: Db; close: () => Promise<void>; kind: string }> {
  if (options.db)
    return {
      db: options.db,
      readDb: options.readDb ?? options.db,
      close: async () => undefined,
      kind: options.readDb ? 'provided, with a read replica' : 'provided',
    };
  const url = process.env.DATABASE_URL;
  if (url) {
    const poolMax = Number(process.env.DATABASE_POOL_MAX ?? 10);
    const db = createDb(createPool(url, poolMax));
    let readUrl = options.readDb ? undefined : process.env.DATABASE_READ_URL;
    if (readUrl && new URL(readUrl).pathname !== new URL(url).pathname) {
      // A replica holds the primary's databases under their own names: another name is a mistake.
      console.warn(
        'devhost: DATABASE_READ_URL names another database than DATABASE_URL; reports read the primary.',
      );
      readUrl = undefined;
    }
    const opened = readUrl ? createDb(createPool(readUrl, poolMax)) : undefined;
    let kind = `PostgreSQL (${new URL(url).host})`;
    if (readUrl) kind += `, read replica ${new URL(readUrl).host}`;
    return {
      db,
      readDb: options.readDb ?? opened ?? db,
      close: async () => {
        await opened?.destroy();
        await db.destroy();
      },
      kind,
    };
  }
  // PGlite is a development dependency: loaded only when no server is configured.
  const { PGlite } = await import('@electric-sql/pglite');
  const { createPgConfig } = await import('@electric-sql/pglite/node-postgres');
  const pg = (await import('pg')).default;
  const directory = path.join(dataDir, 'pglite');
  await mkdir(directory, { recursive: true });
  const pglite = new PGlite(directory);
  await pglite.waitReady;
  const db = createDb(new pg.Pool({ ...createPgConfig(pglite), max: 1 } as unknown as PoolConfig));
  return {
    db,
    readDb: db,
    kind: `embedded PGlite (${path.relative(process.cwd(), directory) || directory})`,
    close: async () => {
      await db.destroy();
      await pglite.close();
    },
  };
}

async function routePrefix(): Promise<string> {
  try {
    const hostJson = JSON.parse(await readFile(path.join(projectRoot, 'host.json'), 'utf8')) as {
      extensions?: { http?: { routePrefix?: string } };
    };
    return hostJson.extensions?.http?.routePrefix ?? 'api';
  } catch {
    return 'api';
  }
}

async function staticDir(): Promise<string | undefined> {
  const dir = path.join(projectRoot, 'web', 'dist');
  return (await stat(path.join(dir, 'index.html')).catch(() => undefined)) ? dir : undefined;
}

/** Starts the whole app locally: database, storage, bus, durable backend, issuer, HTTP. */
export async function startDevhost(options: DevhostOptions = {}): Promise<Devhost> {
  const dataDir = path.resolve(options.dataDir ?? path.join(projectRoot, '.data'));
  const database = await openDatabase(options, dataDir);
  const db = database.db;
  await migrateToLatest(db);
  await migrateDevhost(db as never);
  const azurite = await startAzurite(
    options.blobInMemory ? { inMemory: true } : { location: path.join(dataDir, 'azurite') },
  );

  let baseUrl = '';
  const directory = databaseTenantDirectory(() => db);
  const issuer = await DevIssuer.create({
    baseUrl: () => baseUrl,
    audience: process.env.AUTH_AUDIENCE ?? 'api://tessera-erp',
    directory,
  });
  const teams = await TeamsEmulator.create({
    baseUrl: () => baseUrl,
    directory,
    appId: process.env.TEAMS_BOT_APP_ID,
  });
  const mail = new MailCatcher({ baseUrl: () => baseUrl });

  // The app reads its settings from the environment, as in Azure; point them at the local pieces.
  process.env.AZURE_STORAGE_CONNECTION_STRING = azurite.connectionString;
  configureDatabases(db, database.readDb);
  configureBlobService(undefined);

  const host = await loadApp(options.log);
  if (options.seed !== false) {
    await seedDemoTenants(db);
    if (options.demoData !== false) {
      await seedDemoLedger(db);
      await seedDemoTrade(db);
      await seedDemoInventory(db);
      await seedDemoSales(db);
    }
  }
  process.env.PLATFORM_ENTRA_TENANT_ID ??= DEMO_TENANTS[0]?.entraTenantId;

  // The emulators report through the same sink as the functions, as the Functions host does.
  const log = options.log
    ? (message: string) => options.log?.({ level: 'information', category: 'host', message })
    : undefined;
  const durable = new DurableDriver({ host, db, baseUrl: () => baseUrl, log, leaseMs: options.leaseMs });
  const bus = new BusEmulator({ host, db, log, lockDurationMs: options.leaseMs });
  const timers = new TimerScheduler({ host, db, log });
  configureEventPublisher({
    publish: (topic, messages) => bus.send(topic, messages),
    health: async () => (await sql`select 1 from devhost.migrations limit 1`.execute(db)).rows.length >= 0,
  });

  const server = new DevhostHttpServer({
    host,
    routePrefix: await routePrefix(),
    staticDir: await staticDir(),
    endpoints: [
      (req: DevRequest) => issuer.handleHttp(req),
      (req: DevRequest) => teams.handleHttp(req),
      (req: DevRequest) => mail.handleHttp(req),
      (req: DevRequest) => durable.handleHttp(req),
    ],
    onError: (error) => console.error('devhost:', error),
  });
  baseUrl = await server.listen(
    options.port ?? Number(process.env.PORT ?? 7071),
    options.hostname ?? '127.0.0.1',
  );
  process.env.AUTH_ISSUER_TEMPLATE = issuer.issuerTemplate();
  process.env.AUTH_JWKS_URI = issuer.jwksUri();
  // The bot endpoint trusts the emulator's keys, and the app's Bot Connector calls go to it.
  process.env.TEAMS_BOT_APP_ID = teams.appId;
  process.env.TEAMS_OPENID_METADATA_URL = teams.openIdMetadataUrl();
  // Email goes to the mail catcher, and links in it to this devhost's web app.
  process.env.MAIL_CATCHER_URL = mail.sendUrl();
  process.env.WEB_APP_URL = baseUrl;
  resetSettings();
  resetTokenValidator();
  resetBotAuthenticator();
  configureBotConnectorCredential(teams.credential());

  durable.start();
  bus.start();
  // Announce what seeding wrote (the new tenants), rather than waiting for the relay's timer.
  nudgeOutboxRelay();
  if (options.timers !== false) timers.start();
  await host.runAppHook('appStart');

  const settle = async (timeoutMs = 30_000): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      await outboxRelayIdle();
      // Activities and consumers nudge the relay as they commit: settled means a round in which
      // neither this relay nor a nudged one published anything.
      const relayedBefore = outboxRelayedCount();
      const published = await relayOutbox(db, { publish: (topic, messages) => bus.send(topic, messages) });
      await bus.drain(Math.max(1, deadline - Date.now()));
      await durable.waitForIdle(Math.max(1, deadline - Date.now()));
      await emailDeliveryIdle();
      const remaining = await sql<{
        n: string;
      }>`select count(*)::text as n from outbox where published_at is null`.execute(db);
      await outboxRelayIdle();
      if (published === 0 && remaining.rows[0]?.n === '0' && outboxRelayedCount() === relayedBefore) return;
      if (Date.now() > deadline) throw new Error('The devhost did not settle in time.');
    }
  };

  let stopped = false;
  return {
    url: baseUrl,
    db,
    databaseDescription: database.kind,
    host,
    issuer,
    teams,
    mail,
    bus,
    durable,
    timers,
    token: (tenant, user, roles) => issuer.issue({ tenant, user, roles }),
    settle,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await host.runAppHook('appTerminate');
      await server.close();
      await timers.stop();
      await bus.stop();
      await durable.stop();
      await outboxRelayIdle();
      await emailDeliveryIdle();
      configureEventPublisher(undefined);
      await azurite.stop();
      await database.close();
    },
  };
}
