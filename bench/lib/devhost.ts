/**
 * The devhost as a child process over the benchmark's database (bench/lib/devhost-child.ts), so
 * that its CPU and memory can be read from /proc/<pid> apart from the benchmark's own HTTP
 * clients. Starting one measures the cold start: from the spawn to the first `GET /api/health`
 * answered 200 (polled every 10 ms on the port chosen for it).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Role } from '../../shared/platform/auth/roles.js';
import { now, sleep } from './stats.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export class DevhostProcess {
  readonly child: ChildProcess;
  readonly url: string;
  /** Spawn to the first answer of any kind, and to the first 200 from /api/health. */
  readonly firstAnswerMs: number;
  readonly coldStartMs: number;
  readonly #stderr: string[];
  #statementWaiters: ((n: number) => void)[] = [];
  #logLines = 0;
  readonly #tokens = new Map<string, Promise<string>>();

  private constructor(
    child: ChildProcess,
    url: string,
    firstAnswerMs: number,
    coldStartMs: number,
    stderr: string[],
  ) {
    this.child = child;
    this.url = url;
    this.firstAnswerMs = firstAnswerMs;
    this.coldStartMs = coldStartMs;
    this.#stderr = stderr;
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** Lines the app logged on stdout since start (its request and event log). */
  get logLines(): number {
    return this.#logLines;
  }

  static async start(databaseUrl: string, env: Record<string, string> = {}): Promise<DevhostProcess> {
    const port = await freePort();
    const started = now();
    const child = spawn(
      process.execPath,
      [
        // BENCH_DEVHOST_PROFILE=<dir>: a V8 CPU profile of the devhost, written when it stops.
        ...(process.env.BENCH_DEVHOST_PROFILE
          ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_DEVHOST_PROFILE}`]
          : []),
        '--import',
        'tsx',
        path.join(root, 'bench/lib/devhost-child.ts'),
      ],
      {
        cwd: root,
        env: { ...process.env, ...env, DATABASE_URL: databaseUrl, PORT: String(port) },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const stderr: string[] = [];
    createInterface({ input: child.stderr! }).on('line', (line) => {
      stderr.push(line);
      if (stderr.length > 200) stderr.shift();
      if (process.env.BENCH_VERBOSE === '1') console.error(`[devhost] ${line}`);
    });
    let exited: string | undefined;
    child.once('exit', (code, signal) => (exited = `exited (${code ?? signal})`));
    const base = `http://127.0.0.1:${port}`;
    let firstAnswerMs = NaN;
    for (;;) {
      if (exited) throw new Error(`The devhost ${exited} before serving:\n${stderr.slice(-30).join('\n')}`);
      if (now() - started > 180_000) {
        child.kill('SIGKILL');
        throw new Error(
          `The devhost did not answer /api/health within 3 minutes:\n${stderr.slice(-30).join('\n')}`,
        );
      }
      try {
        const response = await fetch(`${base}/api/health`, { signal: AbortSignal.timeout(5_000) });
        await response.arrayBuffer();
        if (Number.isNaN(firstAnswerMs)) firstAnswerMs = now() - started;
        if (response.status === 200) break;
      } catch {
        // Not listening yet.
      }
      await sleep(10);
    }
    const host = new DevhostProcess(child, base, firstAnswerMs, now() - started, stderr);
    createInterface({ input: child.stdout! }).on('line', (line) => host.#onStdout(line));
    return host;
  }

  #onStdout(line: string): void {
    if (line.startsWith('{"bench":')) {
      const message = JSON.parse(line) as { bench: string; statements?: number };
      if (message.bench === 'statements') {
        const waiters = this.#statementWaiters;
        this.#statementWaiters = [];
        for (const w of waiters) w(message.statements!);
      }
      return;
    }
    this.#logLines++;
  }

  /** SQL statements the devhost's pool has sent since it started. */
  statements(): Promise<number> {
    return new Promise((resolve) => {
      this.#statementWaiters.push(resolve);
      this.child.kill('SIGUSR2');
    });
  }

  /** A dev access token, cached per tenant, user and roles. */
  token(tenant: string, user: string, roles: Role[]): Promise<string> {
    const key = `${tenant}/${user}/${roles.join(',')}`;
    let token = this.#tokens.get(key);
    if (!token) {
      token = fetch(`${this.url}/api/dev/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ tenant, user, roles, expiresInSeconds: 24 * 3600 }),
      }).then(async (response) => {
        const body = (await response.json()) as { accessToken?: string };
        if (!response.ok || !body.accessToken)
          throw new Error(`POST /api/dev/token for ${key}: ${response.status} ${JSON.stringify(body)}`);
        return body.accessToken;
      });
      this.#tokens.set(key, token);
    }
    return token;
  }

  recentErrors(): string[] {
    return this.#stderr.slice(-20);
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGTERM');
    const timeout = sleep(20_000).then(() => 'timeout');
    if ((await Promise.race([exited, timeout])) === 'timeout') {
      this.child.kill('SIGKILL');
      await exited;
    }
  }
}
