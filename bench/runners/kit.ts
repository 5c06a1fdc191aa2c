/**
 * Helpers every benchmark runner uses: the minimum-request bookkeeping, the request weight, the
 * unmeasured nomenclature setup, and `measure` (wall time, requests and 429s the emulator saw, peak RSS).
 */
import { recordRun } from '../../src/sync/sync-run.js';
import { runFullNomenclature } from '../../src/sync/nomenclature/nomenclature-sync.js';
import { requestWeight } from '../../src/moysklad/limiter.js';
import type { BenchAuth, BenchContext } from '../lib/bench-context.js';
import { MAX_RSS_NOTE, PeakRss } from '../lib/peak-rss.js';
import { requestCount, type RequestGroup } from '../lib/report.js';
import type { ScenarioResult, ScenarioSpec } from './scenarios.js';

export const fmt = (n: number): string => n.toLocaleString('en-US');
/** Listing `rows` rows `limit` at a time: full pages and the last partial one (one empty page for none). */
export function pageGroups(rows: number, limit: number): RequestGroup[] {
  const full = Math.floor(rows / limit);
  const rest = rows - full * limit;
  const groups: RequestGroup[] = [];
  if (full > 0) groups.push({ count: full, rows: limit });
  if (rest > 0 || full === 0) groups.push({ count: 1, rows: rest });
  return groups;
}

/** The minimum as a ScenarioResult states it. */
export const minimum = (...groups: RequestGroup[][]): Pick<ScenarioResult, 'minRequests' | 'minimum'> => {
  const all = groups.flat();
  return { minRequests: requestCount(all), minimum: all };
};

export function weightOf(ctx: BenchContext, auth: BenchAuth, path = 'entity/product'): number {
  return requestWeight(auth, path, ctx.clock.nowMs());
}

/** Setup helper: a full nomenclature pass, not measured. */
export async function loadNomenclature(ctx: BenchContext): Promise<void> {
  await recordRun(ctx.runDeps, { kind: 'nomenclature.full', trigger: 'cli', integrationId: ctx.integrationId }, async (run) => {
    await runFullNomenclature({ db: ctx.store.db, clock: ctx.clock }, { msAccountId: ctx.msAccountId, client: ctx.client }, run);
    return { status: 'ok' };
  });
}

export interface Measured<T> {
  value: T;
  wallMs: number;
  requests: number;
  tooMany: number;
  /** Peak RSS of the measured work (MB) and the note to add when it had to include the setup. */
  peakRssMb: number;
  rssNotes: string[];
}

const peakRss = new PeakRss();

export async function measure<T>(ctx: BenchContext, work: () => Promise<T>): Promise<Measured<T>> {
  await ctx.emulator.resetStats();
  peakRss.reset(); // after a gc: what the setup left collectable does not count
  const t0 = performance.now();
  const value = await work();
  const wallMs = performance.now() - t0;
  const peak = peakRss.read();
  const st = await ctx.emulator.stats();
  return { value, wallMs: Math.round(wallMs), requests: st.requests, tooMany: st.tooMany, peakRssMb: peak.mb, rssNotes: peak.method === 'VmHWM' ? [] : [MAX_RSS_NOTE] };
}

export type Runner = (ctx: BenchContext, spec: ScenarioSpec) => Promise<ScenarioResult[]>;

