/**
 * @module api-deps
 * What the `/api/v1` routes are built from.
 */
import type { Kysely } from 'kysely';
import type { OutboxWake } from '../app/order-service.js';
import type { Clock } from '../core/clock.js';
import type { SecretBox } from '../core/secret-box.js';
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
  /**
   * E3 the process's SecretBox: webhook signing secrets are stored encrypted with it. Optional for
   * tests that do not touch webhooks (a random key is used then, so secrets do not survive the app).
   */
  secretBox?: SecretBox;
  /**
   * P1: wakes the outbox sender after an order or counterparty change is committed (in one process
   * a direct call, across processes a PostgreSQL NOTIFY). Without it the minute poll sends them.
   */
  wake?: OutboxWake;
}

export const API_PREFIX = '/api/v1';
