/**
 * @module admin harness (test helper)
 * The real service for admin-panel tests: a migrated database (SQLite or PostgreSQL), the
 * MoySklad emulator on a ManualClock, the client pool, the integration log writing
 * `moysklad_logger.log` in a temp LOG_DIR, the composition root's sync registry
 * (`buildSyncRegistry`), the setup service, and `createApp` with the admin panel mounted.
 *
 * Jobs go through `InlineEnqueuer`: it runs the registered sync runner at once (what the
 * worker does with a queued job), so a "sync now" click has finished when the redirect arrives.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Hono } from 'hono';
import { ManualClock } from '../../src/core/clock.js';
import { errorMessage } from '../../src/core/errors.js';
import { SecretBox } from '../../src/core/secret-box.js';
import { createEmulator, type Emulator, type EmulatorOptions } from '../../src/emulator/index.js';
import { IntegrationLog } from '../../src/log/integration-log.js';
import { buildSyncRegistry, setAdminPassword } from '../../src/main.js';
import type { EnqueueRequest, EnqueueResult, JobEnqueuer } from '../../src/queue/types.js';
import { AdminAuth } from '../../src/server/admin/admin-auth.js';
import { mountAdminPanel } from '../../src/server/admin/admin-panel.js';
import { createApp } from '../../src/server/app.js';
import { IntegrationSetupService } from '../../src/setup/integration-setup.js';
import type { DialectName } from '../../src/store/database.js';
import { migrationStatus } from '../../src/store/migrate.js';
import { LogEntryRepository } from '../../src/store/repositories/log-entry-repository.js';
import { MoySkladClientPool } from '../../src/sync/client-pool.js';
import type { SyncRegistry } from '../../src/sync/sync-registry.js';
import { openTestDatabase, type TestDatabase } from '../helpers/databases.js';

export const ADMIN_LOGIN = 'admin';
export const ADMIN_PASSWORD = 'correct horse battery staple';

const silent = { debug() {}, info() {}, warn() {}, error() {} };

/** Runs each job's sync runner immediately; records requests and outcomes. */
export class InlineEnqueuer implements JobEnqueuer {
  readonly requests: EnqueueRequest[] = [];
  readonly outcomes: Array<{ kind: string; status: string; error?: string }> = [];
  constructor(private readonly syncs: () => SyncRegistry) {}

  async enqueue(request: EnqueueRequest): Promise<EnqueueResult> {
    this.requests.push(request);
    const kind = this.syncs().get(request.kind);
    if (!kind) throw new Error(`no sync kind ${request.kind}`);
    try {
      const out = await kind.runner({
        request: {
          kind: request.kind,
          trigger: 'manual',
          ...(request.integrationId != null ? { integrationId: Number(request.integrationId) } : {}),
          ...(request.priceListId != null ? { priceListId: Number(request.priceListId) } : {}),
        },
        signal: new AbortController().signal,
        progress: () => undefined,
      });
      this.outcomes.push({ kind: request.kind, status: out.status });
    } catch (e) {
      this.outcomes.push({ kind: request.kind, status: 'error', error: errorMessage(e) });
    }
    return { jobId: `inline-${this.requests.length}`, merged: false };
  }
}

export interface AdminHarness {
  app: Hono;
  clock: ManualClock;
  database: TestDatabase;
  db: TestDatabase['db'];
  emulator: Emulator;
  clients: MoySkladClientPool;
  setup: IntegrationSetupService;
  auth: AdminAuth;
  enqueuer: InlineEnqueuer;
  syncs: SyncRegistry;
  logDir: string;
  log: IntegrationLog;
  regionId: number;
  dispose(): Promise<void>;
}

export async function createAdminHarness(options: { dialect?: DialectName; emulator?: EmulatorOptions; publicBaseUrl?: string } = {}): Promise<AdminHarness> {
  const clock = new ManualClock();
  const database = await openTestDatabase(options.dialect ?? 'sqlite');
  const { db } = database;
  const emulator = createEmulator({ clock, ...options.emulator });
  const secretBox = new SecretBox(randomBytes(32));
  const clients = new MoySkladClientPool({ db, secretBox, clock, fetch: emulator.fetch });
  const logDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mse-admin-logs-'));
  const log = new IntegrationLog({ logDir, clock, entries: new LogEntryRepository(db) });
  const syncs = buildSyncRegistry({ db, clock, clients, log, logger: silent, dataDir: database.dataDir });
  const enqueuer = new InlineEnqueuer(() => syncs);
  const setup = new IntegrationSetupService({ db, clock, secretBox, clients, defaultBaseUrl: emulator.apiBaseUrl, onSecret: (s) => log.redactor.addSecret(s) });
  const auth = new AdminAuth({ db, clock });
  await setAdminPassword(database, clock, ADMIN_LOGIN, ADMIN_PASSWORD);
  const now = clock.now().toISOString();
  const region = await db
    .insertInto('regions')
    .values({ name: 'Москва', code: 'central', isCentral: 1, createdAt: now, updatedAt: now })
    .returning('id')
    .executeTakeFirstOrThrow();
  const publicBaseUrl = options.publicBaseUrl ?? 'http://shop.test';
  const app = createApp({
    db,
    clock,
    enqueuer,
    syncs,
    publicBaseUrl,
    logger: { error: () => undefined },
    readiness: { migrationStatus: () => migrationStatus(db) },
    mountAdmin: (a) => mountAdminPanel(a, { db, clock, enqueuer, syncs, setup, logDir, publicBaseUrl, auth }),
  });
  return {
    app,
    clock,
    database,
    db,
    emulator,
    clients,
    setup,
    auth,
    enqueuer,
    syncs,
    logDir,
    log,
    regionId: Number(region.id),
    async dispose() {
      log.close();
      await emulator.close();
      await database.dispose();
      fs.rmSync(logDir, { recursive: true, force: true });
    },
  };
}

/** A cookie-keeping client over `app.request`, for form posts like a browser's. */
export class AdminClient {
  readonly cookies = new Map<string, string>();
  csrf = '';
  constructor(private readonly app: Hono) {}

  #absorb(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      if (!value || /max-age=0/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  #cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  async get(p: string, headers: Record<string, string> = {}): Promise<{ status: number; text: string; res: Response }> {
    const res = await this.app.request(p, { headers: { cookie: this.#cookieHeader(), ...headers } });
    this.#absorb(res);
    const text = await res.text();
    const m = /name="_csrf" value="([^"]+)"/.exec(text);
    if (m?.[1]) this.csrf = m[1];
    return { status: res.status, text, res };
  }

  async post(p: string, fields: Record<string, string>, options: { csrf?: string | null } = {}): Promise<{ status: number; text: string; res: Response; location: string | null }> {
    const body = new URLSearchParams({ ...(options.csrf === null ? {} : { _csrf: options.csrf ?? this.csrf }), ...fields });
    const res = await this.app.request(p, {
      method: 'POST',
      headers: { cookie: this.#cookieHeader(), 'content-type': 'application/x-www-form-urlencoded' },
      body: body.toString(),
    });
    this.#absorb(res);
    const text = await res.text();
    const m = /name="_csrf" value="([^"]+)"/.exec(text);
    if (m?.[1]) this.csrf = m[1];
    return { status: res.status, text, res, location: res.headers.get('location') };
  }

  /** Logs in through the login form; returns the POST's response. */
  async login(login = ADMIN_LOGIN, password = ADMIN_PASSWORD) {
    await this.get('/admin/login');
    const r = await this.post('/admin/login', { login, password });
    if (r.status === 302) await this.get('/admin/integrations');
    return r;
  }
}
