/**
 * @module checkpoints
 * B3 cursors in `sync_checkpoints` (scope, kind → JSON). The nomenclature keeps one row per
 * MoySklad account (`ms_account:<id>`) because the product directory is per account.
 */
import type { Kysely } from 'kysely';
import type { Clock } from '../../core/clock.js';
import { nowIso } from '../../store/database.js';
import type { Database } from '../../store/schema.js';

export const accountScope = (msAccountId: number): string => `ms_account:${msAccountId}`;

export async function loadCheckpoint<T>(db: Kysely<Database>, scope: string, kind: string): Promise<T | null> {
  const row = await db.selectFrom('syncCheckpoints').select('cursor').where('scope', '=', scope).where('kind', '=', kind).executeTakeFirst();
  if (!row) return null;
  try {
    return JSON.parse(row.cursor) as T;
  } catch {
    return null;
  }
}

export async function saveCheckpoint(db: Kysely<Database>, clock: Clock, scope: string, kind: string, cursor: unknown): Promise<void> {
  const text = JSON.stringify(cursor);
  const at = nowIso(clock);
  await db
    .insertInto('syncCheckpoints')
    .values({ scope, kind, cursor: text, updatedAt: at })
    .onConflict((oc) => oc.columns(['scope', 'kind']).doUpdateSet({ cursor: text, updatedAt: at }))
    .execute();
}

export async function deleteCheckpoint(db: Kysely<Database>, scope: string, kind: string): Promise<void> {
  await db.deleteFrom('syncCheckpoints').where('scope', '=', scope).where('kind', '=', kind).execute();
}
