/**
 * @module checkpoint-repository
 * B3 sync cursors per scope (`integration:<id>`, `ms_account:<id>`, `price_list:<id>`) and kind.
 */
import type { Clock } from '../../core/clock.js';
import { nowIso } from '../database.js';
import type { Db } from '../db.js';

export const checkpointScope = {
  integration: (id: number): string => `integration:${id}`,
  msAccount: (id: number): string => `ms_account:${id}`,
  priceList: (id: number): string => `price_list:${id}`,
};

/** A cursor, or null when there is none or it is not JSON (a read needs no clock). */
export async function readCheckpoint<T>(db: Db, scope: string, kind: string): Promise<T | null> {
  const row = await db.selectFrom('syncCheckpoints').select('cursor').where('scope', '=', scope).where('kind', '=', kind).executeTakeFirst();
  if (!row) return null;
  try {
    return JSON.parse(row.cursor) as T;
  } catch {
    return null;
  }
}

export class CheckpointRepository {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  async get<T = unknown>(scope: string, kind: string): Promise<T | null> {
    const row = await this.db
      .selectFrom('syncCheckpoints')
      .select('cursor')
      .where('scope', '=', scope)
      .where('kind', '=', kind)
      .executeTakeFirst();
    return row ? (JSON.parse(row.cursor) as T) : null;
  }

  async set(scope: string, kind: string, cursor: unknown): Promise<void> {
    const at = nowIso(this.clock);
    const text = JSON.stringify(cursor);
    await this.db
      .insertInto('syncCheckpoints')
      .values({ scope, kind, cursor: text, updatedAt: at })
      .onConflict((oc) => oc.columns(['scope', 'kind']).doUpdateSet({ cursor: text, updatedAt: at }))
      .execute();
  }

  async clear(scope: string, kind?: string): Promise<void> {
    let q = this.db.deleteFrom('syncCheckpoints').where('scope', '=', scope);
    if (kind !== undefined) q = q.where('kind', '=', kind);
    await q.execute();
  }

  /** Like `get`, but a cursor that is not JSON reads as null. */
  find<T = unknown>(scope: string, kind: string): Promise<T | null> {
    return readCheckpoint<T>(this.db, scope, kind);
  }

  /** Writes a row only when (scope, kind) has none (a repeat changes nothing). */
  async insertOnce(scope: string, kind: string, cursor: unknown): Promise<void> {
    await this.db
      .insertInto('syncCheckpoints')
      .values({ scope, kind, cursor: JSON.stringify(cursor), updatedAt: nowIso(this.clock) })
      .onConflict((oc) => oc.columns(['scope', 'kind']).doNothing())
      .execute();
  }

  /** Up to `limit` rows of a scope, oldest first, with their raw cursor text. */
  listScope(scope: string, limit: number): Promise<Array<{ id: number; cursor: string }>> {
    return this.db.selectFrom('syncCheckpoints').select(['id', 'cursor']).where('scope', '=', scope).orderBy('id').limit(limit).execute();
  }

  async removeIds(ids: readonly number[]): Promise<void> {
    if (ids.length === 0) return;
    await this.db.deleteFrom('syncCheckpoints').where('id', 'in', [...ids]).execute();
  }

  /** Removes the rows of every scope starting with `scopePrefix` written before `cutoffIso`; returns how many. */
  async purgeOlderThan(scopePrefix: string, cutoffIso: string): Promise<number> {
    const r = await this.db.deleteFrom('syncCheckpoints').where('scope', 'like', `${scopePrefix}%`).where('updatedAt', '<', cutoffIso).executeTakeFirst();
    return Number(r.numDeletedRows);
  }
}
