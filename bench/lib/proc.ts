/**
 * What the kernel says about processes and the machine: CPU time from /proc/<pid>/stat, memory
 * from /proc/<pid>/status, the machine's CPU from /proc/stat. Linux only, as the benchmark is.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';

/** Clock ticks per second of /proc times (USER_HZ): 100 on every Linux the benchmark runs on. */
const TICKS_PER_SECOND = 100;

/** CPU seconds (user + system) a process has used, or undefined once it is gone. */
export function processCpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces; the fields after its closing parenthesis are fixed.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    return (utime + stime) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

/** Resident memory now and its high-water mark, in MiB. */
export function processMemoryMiB(pid: number): { rss: number; hwm: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    return { rss: kb('VmRSS') / 1024, hwm: kb('VmHWM') / 1024 };
  } catch {
    return undefined;
  }
}

/** Busy and total CPU ticks of the whole machine (all cores). */
export function machineCpuTicks(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
  const values = line.trim().split(/\s+/).slice(1).map(Number);
  const [user, nice, system, idle, iowait, irq, softirq, steal] = values as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const busy = user + nice + system + irq + softirq + steal;
  return { busy, total: busy + idle + iowait };
}

export const cores = () => os.cpus().length;

export function loadAverage(): { '1m': number; '5m': number; '15m': number } {
  const [a, b, c] = os.loadavg();
  return { '1m': round2(a!), '5m': round2(b!), '15m': round2(c!) };
}

export const round2 = (v: number) => Math.round(v * 100) / 100;
export const round1 = (v: number) => Math.round(v * 10) / 10;
