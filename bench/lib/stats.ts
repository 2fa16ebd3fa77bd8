/** Small statistics and timing helpers. */
import { performance } from 'node:perf_hooks';

export interface LatencySummary {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  mean: number;
  max: number;
}

/** The q-th quantile (0..1) of sorted values, by the nearest-rank method. */
export function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.max(1, Math.ceil(q * sorted.length));
  return sorted[Math.min(sorted.length, rank) - 1]!;
}

export function summarize(values: number[]): LatencySummary {
  const sorted = [...values].sort((a, b) => a - b);
  const sum = sorted.reduce((s, v) => s + v, 0);
  return {
    count: sorted.length,
    p50: quantile(sorted, 0.5),
    p90: quantile(sorted, 0.9),
    p99: quantile(sorted, 0.99),
    mean: sorted.length ? sum / sorted.length : NaN,
    max: sorted.length ? sorted[sorted.length - 1]! : NaN,
  };
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export const now = () => performance.now();

/** Runs `work` sequentially `runs` times after `warmup` unmeasured runs; returns each run's milliseconds. */
export async function timeRuns(work: () => Promise<unknown>, runs: number, warmup = 2): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await work();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = now();
    await work();
    times.push(now() - start);
  }
  return times;
}

/**
 * Runs `clients` loops of `iteration` until `durationMs` has passed (an iteration started before
 * the end finishes). Returns the wall time from the first start to the last finish, and each
 * iteration's latency in ms. An iteration that throws stops the run: a benchmark whose work fails
 * measures nothing.
 */
export async function closedLoop(
  clients: number,
  durationMs: number,
  iteration: (client: number, n: number) => Promise<void>,
): Promise<{ wallMs: number; latencies: number[]; iterations: number }> {
  const latencies: number[] = [];
  const start = now();
  const deadline = start + durationMs;
  await Promise.all(
    Array.from({ length: clients }, async (_, client) => {
      for (let n = 0; now() < deadline; n++) {
        const t = now();
        await iteration(client, n);
        latencies.push(now() - t);
      }
    }),
  );
  return { wallMs: now() - start, latencies, iterations: latencies.length };
}

export const perHour = (count: number, wallMs: number) => (count / wallMs) * 3_600_000;

/** 1234567 → "1,234,567"; fractional values keep `digits` decimals. */
export function fmt(value: number, digits = 0): string {
  if (!Number.isFinite(value)) return '—';
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** A random integer in [0, n). The benchmark's choices need no seed: both sides draw alike. */
export const randomInt = (n: number) => Math.floor(Math.random() * n);

/** `count` distinct random picks from `items`. */
export function pickDistinct<T>(items: readonly T[], count: number): T[] {
  const chosen = new Set<number>();
  while (chosen.size < Math.min(count, items.length)) chosen.add(randomInt(items.length));
  return [...chosen].map((i) => items[i]!);
}

/** 50000 → "50k", 1000000 → "1M", 2500000 → "2.5M". */
export function count(n: number): string {
  if (n >= 1_000_000) return `${fmt(n / 1_000_000, n % 1_000_000 ? 1 : 0)}M`;
  if (n >= 1_000) return `${fmt(n / 1_000, n % 1_000 ? 1 : 0)}k`;
  return String(n);
}
