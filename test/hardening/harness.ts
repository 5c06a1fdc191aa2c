/**
 * @module harness (hardening test helper)
 * The service's whole HTTP surface (platform API, webhook intake, media) on a real loopback socket,
 * over a test database: `createApp` as `main.ts` wires it, served by @hono/node-server, with an API
 * token and a MoySklad account that has a webhook key. Used by the S1, S2, S3 and S6 suites.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import { createAdaptorServer } from '@hono/node-server';
import type { Hono } from 'hono';
import { beforeAll } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { SecretBox } from '../../src/core/secret-box.js';
import { EmbeddedJobQueue } from '../../src/queue/embedded-queue.js';
import { createApp } from '../../src/server/app.js';
import { ApiTokenService } from '../../src/server/auth.js';
import { mountHookRoutes } from '../../src/server/routes/hooks.routes.js';
import { mountMediaRoutes } from '../../src/server/routes/media.routes.js';
import { migrationStatus } from '../../src/store/migrate.js';
import { SyncRegistry } from '../../src/sync/sync-registry.js';
import { webhookKeyFor } from '../../src/sync/webhooks/webhook-keys.js';
import type { TestDatabase } from '../helpers/databases.js';
import { seedIntegrationRows } from '../helpers/seed-integration.js';
import type { OpenApiDoc } from './openapi-walk.js';

export interface Surface {
  app: Hono;
  token: string;
  hookKey: string;
  integrationId: number;
  regionId: number;
  /** Errors the app logged as 5xx/unhandled. */
  logged: unknown[];
}

/** The app over `tdb` with a token, a seeded integration and the account's webhook key. */
export async function surfaceFor(tdb: TestDatabase): Promise<Surface> {
  const clock = new ManualClock({ start: '2026-03-01T10:00:00Z' });
  const box = new SecretBox(randomBytes(32));
  const queue = new EmbeddedJobQueue({ db: tdb.db, clock });
  const logged: unknown[] = [];
  const code = `h${randomBytes(4).toString('hex')}`;
  const seeded = await seedIntegrationRows(tdb.db, {
    now: clock.now().toISOString(),
    secretBox: box,
    baseUrl: 'http://moysklad.emulator/api/remap/1.2',
    region: { name: `Регион ${code}`, code },
    account: { label: 'hardening', authKind: 'password', login: `admin@${code}`, credentialKey: `password:admin@${code}`, secret: 'pw' },
  });
  const hookKey = await webhookKeyFor(tdb.db, seeded.msAccountId);
  const app = createApp({
    db: tdb.db,
    clock,
    enqueuer: queue,
    syncs: new SyncRegistry(),
    publicBaseUrl: 'http://shop.test',
    secretBox: box,
    logger: { error: (obj) => logged.push(obj) },
    readiness: { migrationStatus: () => migrationStatus(tdb.db) },
    mountExtra: (a) => {
      mountMediaRoutes(a, { db: tdb.db, clock, dataDir: tdb.dataDir });
      mountHookRoutes(a, { db: tdb.db, clock, enqueuer: queue });
    },
  });
  const { token } = await new ApiTokenService({ db: tdb.db, clock }).create(`hardening-${code}`);
  return { app, token, hookKey, integrationId: seeded.integrationId, regionId: seeded.regionId, logged };
}

/** The surface and its own OpenAPI document, opened once for a describe block (`beforeAll`). */
export function useSurface(getDb: () => TestDatabase): () => { s: Surface; doc: OpenApiDoc } {
  let opened: { s: Surface; doc: OpenApiDoc } | undefined;
  beforeAll(async () => {
    const s = await surfaceFor(getDb());
    opened = { s, doc: (await (await s.app.request('/api/v1/openapi.json')).json()) as OpenApiDoc };
  });
  return () => {
    if (!opened) throw new Error('the surface is not open');
    return opened;
  };
}

export interface Served {
  url: string;
  port: number;
  /** Bytes the server read from each connection so far (by connection order). */
  bytesRead(): number[];
  close(): Promise<void>;
}

/** Serves the app on 127.0.0.1 (a random port), as `main.ts` does. */
export async function serve(app: Hono): Promise<Served> {
  const server = createAdaptorServer({ fetch: app.fetch }) as http.Server;
  const sockets: Socket[] = [];
  server.on('connection', (s: Socket) => sockets.push(s));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    bytesRead: () => sockets.map((s) => s.bytesRead),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface StreamedResult {
  status: number | null;
  body: string;
  /** Body bytes the client had written when the answer (or the close) came. */
  sentWhenAnswered: number;
  /** True when the server closed the connection before the client wrote all `totalBytes`. */
  cutOff: boolean;
}

/**
 * POSTs a chunked body of up to `totalBytes` (64 KiB chunks, respecting back-pressure) and stops
 * writing as soon as an answer arrives or the connection closes.
 */
export function postChunked(url: string, headers: Record<string, string>, totalBytes: number): Promise<StreamedResult> {
  return new Promise((resolve) => {
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    let sent = 0;
    let answered = false;
    let status: number | null = null;
    let body = '';
    let sentWhenAnswered = -1;
    let finished = false;
    const done = (): void => {
      if (finished) return;
      finished = true;
      resolve({ status, body, sentWhenAnswered: sentWhenAnswered < 0 ? sent : sentWhenAnswered, cutOff: sent < totalBytes });
    };
    const req = http.request(url, { method: 'POST', headers: { ...headers, 'transfer-encoding': 'chunked' } }, (res) => {
      answered = true;
      status = res.statusCode ?? null;
      sentWhenAnswered = sent;
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => {
        req.destroy();
        done();
      });
      res.on('error', done);
    });
    req.on('error', () => {
      if (!answered) done();
    });
    req.on('close', () => {
      if (!answered) done();
    });
    const pump = (): void => {
      while (!answered && !req.destroyed && sent < totalBytes) {
        sent += chunk.length;
        if (!req.write(chunk)) {
          req.once('drain', pump);
          return;
        }
      }
      if (!answered && !req.destroyed && sent >= totalBytes) req.end();
    };
    pump();
  });
}
