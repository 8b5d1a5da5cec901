// Shared pieces of the benchmarks: the module shape run.ts expects, percentiles, the machine line, a table printer,
// and the databases to run on (PGlite in memory always; PostgreSQL when BENCH_DATABASE_URL or TEST_DATABASE_URL is set).
import os from 'node:os';
import { freshDb, type TestDb } from '../support/harness.ts';

export interface BenchResult {
  /** False only on a correctness failure (lost or duplicated work), never because something was slow. */
  ok: boolean;
}

/** What a test/bench/*.bench.ts module exports as default. */
export interface Bench {
  name: string;
  description: string;
  run(): Promise<BenchResult>;
}

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

export function machine(): string {
  const cpus = os.cpus();
  return `${cpus[0]?.model ?? 'unknown cpu'}, ${cpus.length} cores, node ${process.version}, ${os.platform()} ${os.release()}`;
}

export function table(headers: string[], rows: (string | number)[][]): string {
  const cells = [headers, ...rows.map((r) => r.map(String))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => r[i].length)));
  const line = (r: string[]) => '| ' + r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ') + ' |';
  const rule = '|' + widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : '-'.repeat(w + 1) + ':')).join('|') + '|';
  return [line(cells[0]), rule, ...cells.slice(1).map(line)].join('\n');
}

export const fmtMs = (ms: number) => (Number.isFinite(ms) ? (Math.abs(ms) >= 100 ? ms.toFixed(0) : ms.toFixed(1)) : '-');

export interface BenchDb {
  kind: 'pglite' | 'postgres';
  open(): Promise<TestDb>;
}

/** PGlite in memory, then PostgreSQL (a schema of its own, dropped afterwards) when a URL is configured. */
export function benchDatabases(): BenchDb[] {
  const url = process.env.BENCH_DATABASE_URL || process.env.TEST_DATABASE_URL;
  const dbs: BenchDb[] = [{ kind: 'pglite', open: () => withTestDbUrl(undefined, freshDb) }];
  if (url) dbs.push({ kind: 'postgres', open: () => withTestDbUrl(url, freshDb) });
  return dbs;
}

/** freshDb reads TEST_DATABASE_URL synchronously when called; point it at the database wanted for this one call. */
function withTestDbUrl<T>(url: string | undefined, fn: () => Promise<T>): Promise<T> {
  const saved = process.env.TEST_DATABASE_URL;
  if (url) process.env.TEST_DATABASE_URL = url;
  else delete process.env.TEST_DATABASE_URL;
  try {
    return fn();
  } finally {
    if (saved === undefined) delete process.env.TEST_DATABASE_URL;
    else process.env.TEST_DATABASE_URL = saved;
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
