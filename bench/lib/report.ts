/**
 * The benchmark table: the floors (rate limit and response time), the ratios, and the text/markdown renderings.
 * Pure functions (tested in test/bench/report.test.ts).
 */
import os from 'node:os';
import type { ScenarioResult } from '../runners/scenarios.js';

/** MoySklad 2026: 45 weight units per 3 s per user or solution. */
export const BUCKET_UNITS = 45;
export const BUCKET_INTERVAL_MS = 3000;

/** The least time the rate limit allows for `minRequests` requests of `weight` units (no credit for a full bucket at the start). */
export function floorMs(minRequests: number, weight: number): number {
  return (minRequests * weight * BUCKET_INTERVAL_MS) / BUCKET_UNITS;
}

/** MoySklad: at most 5 parallel requests per user (REFERENCE §3). */
export const PARALLEL_REQUESTS = 5;

/** `count` requests, each answering or writing `rows` rows (what the emulator's latency model counts). */
export interface RequestGroup {
  count: number;
  rows: number;
}

export interface LatencyModel {
  baseMs: number;
  perRowMs: number;
}

/** Total requests of the groups. */
export function requestCount(groups: RequestGroup[]): number {
  return groups.reduce((n, g) => n + g.count, 0);
}

/**
 * The least time the modeled MoySklad needs to answer these requests with at most `parallel` in
 * flight: no schedule beats the longest single response, nor the sum of all responses spread over
 * `parallel` slots. 0 when nothing is modeled (no latency, or no groups stated).
 */
export function latencyFloorMs(groups: RequestGroup[], latency: LatencyModel | undefined, parallel = PARALLEL_REQUESTS): number {
  if (!latency || groups.length === 0) return 0;
  const each = (g: RequestGroup): number => latency.baseMs + latency.perRowMs * g.rows;
  const longest = Math.max(0, ...groups.filter((g) => g.count > 0).map(each));
  const total = groups.reduce((t, g) => t + g.count * each(g), 0);
  return Math.max(longest, total / parallel);
}

export interface TableRow {
  scenario: string;
  size: string;
  auth: string;
  db: string;
  requests: number;
  minRequests: number;
  tooMany: number;
  wallS: number;
  /** Rate-limit floor. */
  rateFloorS: number;
  /** Response-time floor (null: not modeled for this row). */
  latencyFloorS: number | null;
  /** The row's floor: max(rate floor, latency floor); the target and wall/floor use it. */
  floorS: number;
  ratio: number;
  peakRssMb: number | null;
  writesPerS: number | null;
  status: string;
  notes: string[];
  /** A latency/resume row: no wall/floor target. */
  floorless: boolean;
  latencyP95Ms: number | null;
}

export function toRow(r: ScenarioResult): TableRow {
  const rate = floorMs(r.floorRequests ?? r.minRequests, r.weight);
  const latency = r.minimum && r.latency ? latencyFloorMs(r.minimum, r.latency) : null;
  const floor = Math.max(rate, latency ?? 0);
  const writeMs = r.writeMs ?? r.wallMs;
  return {
    scenario: r.scenario,
    size: r.size,
    auth: r.auth === 'password' ? `login+password (w${r.weight})` : `solution token (w${r.weight})`,
    db: r.dialect === 'postgres' ? 'PostgreSQL' : 'SQLite',
    requests: r.requests,
    minRequests: r.minRequests,
    tooMany: r.tooMany,
    wallS: r.wallMs / 1000,
    rateFloorS: rate / 1000,
    latencyFloorS: latency === null ? null : latency / 1000,
    floorS: floor / 1000,
    ratio: floor > 0 && !r.floorless ? r.wallMs / floor : Number.NaN,
    floorless: r.floorless === true,
    latencyP95Ms: r.latencyP95Ms ?? null,
    peakRssMb: r.peakRssMb ?? null,
    // below 1 ms the store's millisecond clock cannot time the writes: no rate rather than a made-up one
    writesPerS: r.rowsWritten > 0 && writeMs >= 1 ? Math.round((r.rowsWritten * 1000) / writeMs) : null,
    status: r.status,
    notes: r.notes,
  };
}

const HEAD = ['scenario', 'size', 'auth', 'db', 'requests', 'min requests', '429s', 'wall s', 'rate floor s', 'latency floor s', 'wall/floor', 'peak RSS MB', 'store writes/s'];

function cells(r: TableRow): string[] {
  return [
    r.scenario,
    r.size,
    r.auth,
    r.db,
    r.requests.toLocaleString('en-US'),
    r.minRequests.toLocaleString('en-US'),
    String(r.tooMany),
    r.wallS.toFixed(1),
    r.rateFloorS.toFixed(2),
    r.latencyFloorS === null ? '—' : r.latencyFloorS.toFixed(2),
    Number.isFinite(r.ratio) ? r.ratio.toFixed(2) : '—',
    r.peakRssMb === null ? '—' : String(r.peakRssMb),
    r.writesPerS === null ? '—' : r.writesPerS.toLocaleString('en-US'),
  ];
}

/** A plain-text table for the terminal. */
export function textTable(rows: TableRow[]): string {
  const all = [HEAD, ...rows.map(cells)];
  const widths = HEAD.map((_, i) => Math.max(...all.map((c) => c[i]!.length)));
  const line = (c: string[]): string => c.map((v, i) => (i < 4 ? v.padEnd(widths[i]!) : v.padStart(widths[i]!))).join('  ');
  return [line(HEAD), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map((r) => line(cells(r)))].join('\n');
}

export function markdownTable(rows: TableRow[]): string {
  return [`| ${HEAD.join(' | ')} |`, `|${HEAD.map((_, i) => (i < 4 ? '---' : '---:')).join('|')}|`, ...rows.map((r) => `| ${cells(r).join(' | ')} |`)].join('\n');
}

export interface Machine {
  cpu: string;
  cores: number;
  ramGb: number;
  node: string;
  os: string;
  date: string;
}

export function machine(now: Date = new Date()): Machine {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    ramGb: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    date: now.toISOString(),
  };
}

export interface TargetCheck {
  label: string;
  met: boolean;
  detail: string;
}

/** The issue 10 targets: wall ≤ 1.15 × floor for every scenario (latency rows aside), zero 429s, peak RSS < 300 MB at 100,000 products; issue 16: order latency p95 ≤ 2 s. */
export function checkTargets(rows: TableRow[]): TargetCheck[] {
  const ours = rows.filter((r) => !r.scenario.startsWith('naive'));
  const slow = ours.filter((r) => !r.floorless && !(r.ratio <= 1.15));
  const latency = ours.filter((r) => r.latencyP95Ms !== null);
  const with429 = ours.filter((r) => r.tooMany > 0);
  const big = ours.filter((r) => /100,000/.test(r.size));
  const fat = big.filter((r) => r.peakRssMb === null || r.peakRssMb >= 300);
  return [
    {
      label: 'wall time ≤ 1.15 × floor (max of rate-limit and latency floors)',
      met: slow.length === 0,
      detail: slow.length === 0 ? 'every scenario' : `not met by: ${slow.map((r) => `${r.scenario} ${r.size} (${Number.isFinite(r.ratio) ? r.ratio.toFixed(2) : '—'})`).join('; ')}`,
    },
    ...(latency.length
      ? [{ label: 'order latency p95 ≤ 2,000 ms (P1)', met: latency.every((r) => r.latencyP95Ms! <= 2000), detail: latency.map((r) => `${r.scenario}: p95 ${r.latencyP95Ms} ms`).join('; ') }]
      : []),
    { label: 'zero 429s', met: with429.length === 0, detail: with429.length === 0 ? 'every scenario' : `429s in: ${with429.map((r) => `${r.scenario} (${r.tooMany})`).join('; ')}` },
    {
      label: 'peak RSS < 300 MB at 100,000 products',
      met: big.length > 0 && fat.length === 0,
      detail: big.length === 0 ? 'no 100,000-product row in this run' : big.map((r) => `${r.scenario}: ${r.peakRssMb ?? '—'} MB`).join('; '),
    },
  ];
}
