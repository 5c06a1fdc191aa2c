/**
 * @module api-deps
 * What the `/api/v1` routes are built from.
 */
import type { Kysely } from 'kysely';
import type { Clock } from '../core/clock.js';
import type { JobEnqueuer } from '../queue/types.js';
import type { Database } from '../store/schema.js';
import type { SyncRegistry } from '../sync/sync-registry.js';

export interface ApiDeps {
  db: Kysely<Database>;
  clock: Clock;
  enqueuer: JobEnqueuer;
  /** Which sync kinds exist; triggers for unknown kinds answer 404. */
  syncs: SyncRegistry;
  /** Origin the service is reachable at (for the price-list CSV URL), e.g. `http://localhost:3000`. */
  publicBaseUrl: string;
  /** C14 TZ_SHOP: the time zone of a new region that does not name one (default Europe/Moscow). */
  defaultTimeZone?: string;
}

export const API_PREFIX = '/api/v1';
