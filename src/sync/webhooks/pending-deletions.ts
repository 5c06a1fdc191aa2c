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
import { nowIso } from '../../store/database.js';
import type { Database } from '../../store/schema.js';
import { DELETABLE_TYPES, emptyCandidates, type DeletionCandidates } from '../nomenclature/deletion-check.js';

export const pendingDeletionScope = (msAccountId: number): string => `webhook-deletions:ms_account:${msAccountId}`;
const SCOPE_PREFIX = 'webhook-deletions:';

export interface PendingDeletions {
  /** `sync_checkpoints` ids of the rows read. */
  rowIds: number[];
  candidates: DeletionCandidates;
}

export const hasCandidates = (c: DeletionCandidates): boolean => DELETABLE_TYPES.some((t) => c[t].length > 0);

/** Records one delivery's DELETE ids (a repeat of the same requestId changes nothing). */
export async function recordPendingDeletions(db: Kysely<Database>, clock: Clock, msAccountId: number, requestId: string, candidates: DeletionCandidates): Promise<void> {
  await db
    .insertInto('syncCheckpoints')
    .values({ scope: pendingDeletionScope(msAccountId), kind: `request:${requestId}`, cursor: JSON.stringify(candidates), updatedAt: nowIso(clock) })
    .onConflict((oc) => oc.columns(['scope', 'kind']).doNothing())
    .execute();
}

/** Forgets one delivery's ids (its enqueue failed; MoySklad's retry records them again). */
export async function forgetPendingDeletions(db: Kysely<Database>, msAccountId: number, requestId: string): Promise<void> {
  await db.deleteFrom('syncCheckpoints').where('scope', '=', pendingDeletionScope(msAccountId)).where('kind', '=', `request:${requestId}`).execute();
}

/** Up to `limit` waiting deliveries of the account, oldest first, their ids merged. */
export async function takePendingDeletions(db: Kysely<Database>, msAccountId: number, limit = 200): Promise<PendingDeletions> {
  const rows = await db.selectFrom('syncCheckpoints').select(['id', 'cursor']).where('scope', '=', pendingDeletionScope(msAccountId)).orderBy('id').limit(limit).execute();
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
export async function dropPendingDeletions(db: Kysely<Database>, rowIds: readonly number[]): Promise<void> {
  if (rowIds.length === 0) return;
  await db.deleteFrom('syncCheckpoints').where('id', 'in', [...rowIds]).execute();
}

/** Removes waiting ids recorded before `cutoffIso` of every account (the nightly run; the full pass has reconciled them). */
export async function purgePendingDeletions(db: Kysely<Database>, cutoffIso: string): Promise<number> {
  const r = await db.deleteFrom('syncCheckpoints').where('scope', 'like', `${SCOPE_PREFIX}%`).where('updatedAt', '<', cutoffIso).executeTakeFirst();
  return Number(r.numDeletedRows);
}
