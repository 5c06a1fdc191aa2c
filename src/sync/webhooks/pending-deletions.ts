/**
 * @module pending-deletions
 * B3: the ids of DELETE events waiting for their check (`nomenclature.deletions`). The queue merges a
 * job into a queued or running one of the same (kind, integration) and keeps only the first job's
 * payload, so the ids cannot travel in the payload: each accepted delivery leaves one row in
 * `sync_checkpoints` (scope `webhook-deletions:ms_account:<id>`, kind `request:<requestId>`, cursor
 * `{product:[…], variant:[…]}`) — an insert, never a read-modify-write, so concurrent deliveries
 * cannot lose each other's ids. The check takes rows, and removes exactly the rows it handled.
 */
import type { Kysely } from 'kysely';
import type { Clock } from '../../core/clock.js';
import { CheckpointRepository } from '../../store/repositories/checkpoint-repository.js';
import type { Database } from '../../store/schema.js';
import { DELETABLE_TYPES, emptyCandidates, type DeletionCandidates } from '../nomenclature/deletion-check.js';

export const pendingDeletionScope = (msAccountId: number): string => `webhook-deletions:ms_account:${msAccountId}`;
const SCOPE_PREFIX = 'webhook-deletions:';

export interface PendingDeletions {
  /** `sync_checkpoints` ids of the rows read. */
  rowIds: number[];
  candidates: DeletionCandidates;
}

export interface PendingDeletionStore {
  db: Kysely<Database>;
  clock: Clock;
}

const checkpoints = (store: PendingDeletionStore): CheckpointRepository => new CheckpointRepository(store.db, store.clock);

export const hasCandidates = (c: DeletionCandidates): boolean => DELETABLE_TYPES.some((t) => c[t].length > 0);

/** Records one delivery's DELETE ids (a repeat of the same requestId changes nothing). */
export async function recordPendingDeletions(store: PendingDeletionStore, msAccountId: number, requestId: string, candidates: DeletionCandidates): Promise<void> {
  await checkpoints(store).insertOnce(pendingDeletionScope(msAccountId), `request:${requestId}`, candidates);
}

/** Forgets one delivery's ids (its enqueue failed; MoySklad's retry records them again). */
export async function forgetPendingDeletions(store: PendingDeletionStore, msAccountId: number, requestId: string): Promise<void> {
  await checkpoints(store).clear(pendingDeletionScope(msAccountId), `request:${requestId}`);
}

/** Up to `limit` waiting deliveries of the account, oldest first, their ids merged. */
export async function takePendingDeletions(store: PendingDeletionStore, msAccountId: number, limit = 200): Promise<PendingDeletions> {
  const rows = await checkpoints(store).listScope(pendingDeletionScope(msAccountId), limit);
  const candidates = emptyCandidates();
  for (const r of rows) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(r.cursor);
    } catch {
      continue;
    }
    for (const t of DELETABLE_TYPES) {
      const ids = (parsed as Partial<Record<string, unknown>> | null)?.[t];
      if (Array.isArray(ids)) for (const id of ids) if (typeof id === 'string') candidates[t].push(id);
    }
  }
  return { rowIds: rows.map((r) => Number(r.id)), candidates };
}

/** Removes the rows a check handled. */
export async function dropPendingDeletions(store: PendingDeletionStore, rowIds: readonly number[]): Promise<void> {
  await checkpoints(store).removeIds(rowIds);
}

/** Removes waiting ids recorded before `cutoffIso` of every account (the nightly run; the full pass has reconciled them). */
export async function purgePendingDeletions(store: PendingDeletionStore, cutoffIso: string): Promise<number> {
  return checkpoints(store).purgeOlderThan(SCOPE_PREFIX, cutoffIso);
}
