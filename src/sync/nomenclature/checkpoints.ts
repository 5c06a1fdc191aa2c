/**
 * @module checkpoints
 * B3 cursors in `sync_checkpoints` (scope, kind → JSON). The nomenclature keeps one row per
 * MoySklad account (`ms_account:<id>`) because the product directory is per account.
 */
import type { Kysely } from 'kysely';
import type { Clock } from '../../core/clock.js';
import { CheckpointRepository, readCheckpoint } from '../../store/repositories/checkpoint-repository.js';
import type { Database } from '../../store/schema.js';

export const accountScope = (msAccountId: number): string => `ms_account:${msAccountId}`;

/** A cursor, or null when there is none or it is not JSON. */
export function loadCheckpoint<T>(db: Kysely<Database>, scope: string, kind: string): Promise<T | null> {
  return readCheckpoint<T>(db, scope, kind);
}

export function saveCheckpoint(db: Kysely<Database>, clock: Clock, scope: string, kind: string, cursor: unknown): Promise<void> {
  return new CheckpointRepository(db, clock).set(scope, kind, cursor);
}
