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

  /**
   * Moves a cursor from `expected` (null = none yet) to `next` only if nobody moved it meanwhile;
   * false when another writer did (its transaction should then roll back).
   */
  async compareAndSet(scope: string, kind: string, expected: unknown, next: unknown): Promise<boolean> {
    const at = nowIso(this.clock);
    const text = JSON.stringify(next);
    if (expected === null) {
      const r = await this.db.insertInto('syncCheckpoints').values({ scope, kind, cursor: text, updatedAt: at }).onConflict((oc) => oc.columns(['scope', 'kind']).doNothing()).executeTakeFirst();
      return Number(r.numInsertedOrUpdatedRows ?? 0) === 1;
    }
    const r = await this.db.updateTable('syncCheckpoints').set({ cursor: text, updatedAt: at }).where('scope', '=', scope).where('kind', '=', kind).where('cursor', '=', JSON.stringify(expected)).executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async clear(scope: string, kind?: string): Promise<void> {
    let q = this.db.deleteFrom('syncCheckpoints').where('scope', '=', scope);
    if (kind !== undefined) q = q.where('kind', '=', kind);
    await q.execute();
  }
}
