/**
 * @module api-app (test helper)
 * The platform API of a sync fixture's store: `createApp` with an embedded queue and a fresh API
 * token, and `call(method, path, body?)` sending the token. Requests go through the real Hono app.
 */
import type { Hono } from 'hono';
import { EmbeddedJobQueue } from '../../src/queue/embedded-queue.js';
import { createApp } from '../../src/server/app.js';
import { ApiTokenService } from '../../src/server/auth.js';
import { migrationStatus } from '../../src/store/migrate.js';
import { SyncRegistry } from '../../src/sync/sync-registry.js';
import type { SyncFixture } from './sync-fixture.js';

export interface ApiHarness {
  app: Hono;
  queue: EmbeddedJobQueue;
  call(method: string, path: string, body?: unknown): Promise<{ status: number; text: string }>;
}

export async function apiFor(fx: Pick<SyncFixture, 'db' | 'clock'>, syncs: SyncRegistry = new SyncRegistry()): Promise<ApiHarness> {
  const queue = new EmbeddedJobQueue({ db: fx.db, clock: fx.clock });
  const app: Hono = createApp({
    db: fx.db, clock: fx.clock, enqueuer: queue, syncs, publicBaseUrl: 'http://shop.test',
    logger: { error: () => undefined },
    readiness: { migrationStatus: () => migrationStatus(fx.db) },
  });
  const { token } = await new ApiTokenService({ db: fx.db, clock: fx.clock }).create('platform');
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await app.request(path, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, ...(body ? { body: JSON.stringify(body) } : {}) });
    return { status: res.status, text: await res.text() };
  };
  return { app, queue, call };
}
