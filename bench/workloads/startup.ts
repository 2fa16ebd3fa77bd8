/**
 * Start-up figures without a SQL counterpart:
 * - the devhost's cold start: a new process (`node --import tsx`, loading every function) over the
 *   migrated database, timed from the spawn to the first 200 of `GET /api/health`. Measured twice:
 *   the first start seeds the demo tenants (their onboarding runs in the background after it
 *   serves); the second is a restart over the same database, the usual case. The second devhost
 *   stays up for the other workloads.
 * - the web app's first page: the JavaScript index.html loads (its entry script and modulepreload
 *   links), gzip-compressed with zlib as a server would send it. `web/dist` is built first when it
 *   is missing (`npm run build --prefix web`).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { BenchContext } from '../lib/context.js';
import { DevhostProcess } from '../lib/devhost.js';
import { fmt } from '../lib/stats.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export async function startup(ctx: BenchContext): Promise<DevhostProcess> {
  ctx.log('devhost cold start: first start over the new database');
  const first = await DevhostProcess.start(ctx.database.url);
  const firstStart = { firstAnswerMs: first.firstAnswerMs, healthyMs: first.coldStartMs };
  if (ctx.options.quick) {
    // A smoke run keeps the first devhost rather than starting a second.
    ctx.rows.push({
      workload: 'startup',
      metric: 'devhost first start on a new database → /api/health 200',
      ours: first.coldStartMs,
      raw: null,
      unit: 'ms',
      better: null,
    });
    addWebBundle(ctx);
    ctx.details.startup = { firstStart };
    return first;
  }
  await first.stop();
  ctx.log('devhost cold start: restart over the same database');
  const second = await DevhostProcess.start(ctx.database.url);
  ctx.log(`devhost started (pid ${second.pid}) in ${second.coldStartMs.toFixed(0)} ms`);
  ctx.rows.push(
    {
      workload: 'startup',
      metric: 'devhost cold start → /api/health 200 (restart)',
      ours: second.coldStartMs,
      raw: null,
      unit: 'ms',
      better: null,
    },
    {
      workload: 'startup',
      metric: 'devhost first start on a new database',
      ours: first.coldStartMs,
      raw: null,
      unit: 'ms',
      better: null,
    },
  );

  const web = addWebBundle(ctx);
  ctx.details.startup = {
    firstStart,
    restart: { firstAnswerMs: second.firstAnswerMs, healthyMs: second.coldStartMs },
    web,
  };
  return second;
}

function addWebBundle(ctx: BenchContext): WebBundle | undefined {
  const web = webBundle(ctx);
  if (web) {
    ctx.rows.push({
      workload: 'startup',
      metric: `web first page JS, gzip (${web.files.length} files)`,
      ours: web.gzipBytes / 1024,
      raw: null,
      unit: 'KiB',
      better: null,
      digits: 1,
    });
    ctx.notes.push(
      `Web app first page: ${web.files.length} JavaScript files from index.html (entry + modulepreload), ` +
        `${fmt(web.rawBytes / 1024, 1)} KiB, ${fmt(web.gzipBytes / 1024, 1)} KiB gzip: ${web.files
          .map((f) => `${f.file} ${fmt(f.gzipBytes / 1024, 1)} KiB`)
          .join(', ')}.`,
    );
  }
  return web;
}

interface WebBundle {
  builtNow: boolean;
  rawBytes: number;
  gzipBytes: number;
  files: { file: string; bytes: number; gzipBytes: number }[];
}

function webBundle(ctx: BenchContext): WebBundle | undefined {
  const dist = path.join(root, 'web', 'dist');
  let builtNow = false;
  if (!existsSync(path.join(dist, 'index.html'))) {
    if (ctx.options.quick) {
      ctx.notes.push(
        'web/dist is missing and --quick does not build it (about a minute): no bundle size this run.',
      );
      return undefined;
    }
    ctx.log('web/dist is missing: npm run build --prefix web');
    try {
      execFileSync('npm', ['run', 'build', '--prefix', 'web'], {
        cwd: root,
        stdio: ['ignore', 'ignore', 'inherit'],
      });
      builtNow = true;
    } catch (error) {
      ctx.notes.push(`The web app could not be built, so its bundle size is not reported: ${String(error)}`);
      return undefined;
    }
  }
  const html = readFileSync(path.join(dist, 'index.html'), 'utf8');
  const sources = new Set<string>();
  for (const tag of html.match(/<script\b[^>]*>/g) ?? []) {
    const src = /\bsrc="([^"]+)"/.exec(tag)?.[1];
    if (src) sources.add(src);
  }
  for (const tag of html.match(/<link\b[^>]*>/g) ?? []) {
    if (!/\brel="modulepreload"/.test(tag)) continue;
    const href = /\bhref="([^"]+)"/.exec(tag)?.[1];
    if (href) sources.add(href);
  }
  const files = [...sources]
    .filter((s) => !/^https?:/.test(s))
    .map((src) => {
      const bytes = readFileSync(path.join(dist, src.replace(/^\//, '')));
      return { file: src, bytes: bytes.length, gzipBytes: gzipSync(bytes).length };
    });
  return {
    builtNow,
    rawBytes: files.reduce((s, f) => s + f.bytes, 0),
    gzipBytes: files.reduce((s, f) => s + f.gzipBytes, 0),
    files,
  };
}
