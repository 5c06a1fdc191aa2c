/**
 * @module sync-run-repository
 * B9 sync history: one row per run with counts, requests, errors and duration.
 */
import type { Clock } from '../../core/clock.js';
import { NotFoundError } from '../../core/errors.js';
import { nowIso } from '../database.js';
import type { Db } from '../db.js';
import type { SyncRunRow, SyncRunStatus, SyncTrigger } from '../schema.js';

export interface SyncRun extends Omit<SyncRunRow, 'counts'> {
  counts: Record<string, number>;
}

export interface StartSyncRun {
  integrationId?: number | null;
  priceListId?: number | null;
  kind: string;
  trigger: SyncTrigger;
}

export interface FinishSyncRun {
  status: Exclude<SyncRunStatus, 'running'>;
  counts?: Record<string, number>;
  requests?: number;
  errors?: number;
  message?: string | null;
}

const toSyncRun = (r: SyncRunRow): SyncRun => ({ ...r, counts: JSON.parse(r.counts) as Record<string, number> });

export class SyncRunRepository {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  async start(input: StartSyncRun): Promise<SyncRun> {
    const row = await this.db
      .insertInto('syncRuns')
      .values({
        integrationId: input.integrationId ?? null,
        priceListId: input.priceListId ?? null,
        kind: input.kind,
        trigger: input.trigger,
        status: 'running',
        startedAt: nowIso(this.clock),
        finishedAt: null,
        durationMs: null,
        counts: '{}',
        message: null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toSyncRun(row);
  }

  /** Records progress of a running run (counts so far). */
  async progress(id: number, counts: Record<string, number>, requests?: number): Promise<void> {
    await this.db
      .updateTable('syncRuns')
      .set({ counts: JSON.stringify(counts), ...(requests !== undefined ? { requests } : {}) })
      .where('id', '=', id)
      .execute();
  }

  /** B9: how far a running run is (items processed of a total, null while unknown). */
  async setProgress(id: number, done: number, total: number | null): Promise<void> {
    await this.db
      .updateTable('syncRuns')
      .set({ progressDone: Math.max(0, Math.floor(done)), progressTotal: total === null ? null : Math.max(0, Math.floor(total)) })
      .where('id', '=', id)
      .where('status', '=', 'running')
      .execute();
  }

  /** B9: the running runs of an integration or a price list (all when no scope), oldest first. */
  async listRunning(scope: { integrationId?: number; priceListId?: number } = {}): Promise<SyncRun[]> {
    let s = this.db.selectFrom('syncRuns').selectAll().where('status', '=', 'running').orderBy('id').limit(50);
    if (scope.integrationId !== undefined) s = s.where('integrationId', '=', scope.integrationId);
    if (scope.priceListId !== undefined) s = s.where('priceListId', '=', scope.priceListId);
    return (await s.execute()).map(toSyncRun);
  }

  /** The latest run of each kind for each of the integrations. */
  async latestPerKind(integrationIds: readonly number[], scanLimit = 2000): Promise<SyncRun[]> {
    if (integrationIds.length === 0) return [];
    const rows = await this.db.selectFrom('syncRuns').selectAll().where('integrationId', 'in', [...integrationIds]).orderBy('id', 'desc').limit(scanLimit).execute();
    const seen = new Set<string>();
    return rows.map(toSyncRun).filter((r) => {
      const key = `${r.integrationId}:${r.kind}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  }

  /** The kinds that have runs (for a filter). */
  async kinds(): Promise<string[]> {
    return (await this.db.selectFrom('syncRuns').select('kind').distinct().orderBy('kind').execute()).map((r) => r.kind);
  }

  async finish(id: number, result: FinishSyncRun): Promise<SyncRun> {
    const run = await this.get(id);
    const finishedAt = nowIso(this.clock);
    const row = await this.db
      .updateTable('syncRuns')
      .set({
        status: result.status,
        finishedAt,
        durationMs: Math.max(0, Date.parse(finishedAt) - Date.parse(run.startedAt)),
        counts: JSON.stringify(result.counts ?? run.counts),
        ...(result.requests !== undefined ? { requests: result.requests } : {}),
        ...(result.errors !== undefined ? { errors: result.errors } : {}),
        message: result.message ?? null,
      })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    return toSyncRun(row);
  }

  async get(id: number): Promise<SyncRun> {
    const row = await this.db.selectFrom('syncRuns').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw new NotFoundError('sync_run', id);
    return toSyncRun(row);
  }

  /** Newest first. */
  async list(q: { integrationId?: number; priceListId?: number; kind?: string; limit?: number; beforeId?: number; afterId?: number } = {}): Promise<SyncRun[]> {
    let s = this.db.selectFrom('syncRuns').selectAll().orderBy('id', 'desc').limit(Math.min(q.limit ?? 50, 500));
    if (q.integrationId !== undefined) s = s.where('integrationId', '=', q.integrationId);
    if (q.priceListId !== undefined) s = s.where('priceListId', '=', q.priceListId);
    if (q.kind !== undefined) s = s.where('kind', '=', q.kind);
    if (q.beforeId !== undefined) s = s.where('id', '<', q.beforeId);
    if (q.afterId !== undefined) s = s.where('id', '>', q.afterId);
    return (await s.execute()).map(toSyncRun);
  }

  /** The latest finished run of a kind with status ok/partial (e.g. "last successful sync"). */
  async lastSuccessful(kind: string, scope: { integrationId?: number; priceListId?: number } = {}): Promise<SyncRun | null> {
    let s = this.db.selectFrom('syncRuns').selectAll().where('kind', '=', kind).where('status', 'in', ['ok', 'partial']).orderBy('id', 'desc').limit(1);
    if (scope.integrationId !== undefined) s = s.where('integrationId', '=', scope.integrationId);
    if (scope.priceListId !== undefined) s = s.where('priceListId', '=', scope.priceListId);
    const row = await s.executeTakeFirst();
    return row ? toSyncRun(row) : null;
  }

  /** Runs left `running` by a crashed process are marked failed; returns how many. */
  async failAbandoned(startedBeforeIso: string, message = 'abandoned (process stopped)'): Promise<number> {
    const r = await this.db
      .updateTable('syncRuns')
      .set({ status: 'failed', finishedAt: nowIso(this.clock), message })
      .where('status', '=', 'running')
      .where('startedAt', '<', startedBeforeIso)
      .executeTakeFirst();
    return Number(r.numUpdatedRows);
  }
}
