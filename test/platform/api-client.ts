/**
 * @module api-client (test helper)
 * The platform REST API (`createApp`) on a sync fixture's database, with a bearer token, called
 * in-process; answers as {status, json|text, headers}.
 */
import type { Hono } from 'hono';
import { createApp } from '../../src/server/app.js';
import { ApiTokenService } from '../../src/server/auth.js';
import { migrationStatus } from '../../src/store/migrate.js';
import { SyncRegistry } from '../../src/sync/sync-registry.js';
import type { SyncFixture } from '../helpers/sync-fixture.js';

export interface ApiAnswer {
  status: number;
  json: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- asserted field by field
  text: string;
  headers: Headers;
}

export interface PlatformApi {
  app: Hono;
  token: string;
  call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<ApiAnswer>;
}

export async function platformApi(fx: Pick<SyncFixture, 'db' | 'clock' | 'secretBox'>, publicBaseUrl = 'http://shop.test'): Promise<PlatformApi> {
  const app = createApp({
    db: fx.db,
    clock: fx.clock,
    enqueuer: { enqueue: async () => ({ jobId: 'job', merged: false }) },
    syncs: new SyncRegistry(),
    publicBaseUrl,
    secretBox: fx.secretBox,
    logger: { error: () => undefined },
    readiness: { migrationStatus: () => migrationStatus(fx.db) },
  });
  const { token } = await new ApiTokenService({ db: fx.db, clock: fx.clock }).create('platform');
  return {
    app,
    token,
    async call(method, path, body, headers = { authorization: `Bearer ${token}` }) {
      const res = await app.request(path, { method, headers: { 'content-type': 'application/json', ...headers }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
      const text = await res.text();
      let json: unknown = null;
      try {
        json = JSON.parse(text);
      } catch {
        json = null;
      }
      return { status: res.status, json, text, headers: res.headers };
    },
  };
}
