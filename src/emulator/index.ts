/**
 * @module emulator
 * A local MoySklad JSON API 1.2 (REFERENCE.md §11, VERIFIED.md): strict where MoySklad is strict.
 * `createEmulator()` gives a Hono app serving `/api/remap/1.2/*`, a file host under `/files/*`
 * (plus the static `/miniature/*` and `/static/tinyimage/*` image URLs) and `/__control/*`; `fetch`
 * calls it in-process with network semantics; `listen()` serves it.
 */

import { Hono } from 'hono';
import { systemClock, type Clock } from '../core/clock.js';
import { EmulatorAccount } from './state/account.js';
import { applySeed, type SeedSpec } from './seed/index.js';
import { defaultRateLimits, RateLimiter, type RateLimitSettings } from './http/rate-limit.js';
import { Faults, type FaultSettings } from './faults.js';
import { StatsRecorder, type EmulatorStats } from './http/stats.js';
import { API_PREFIX, handleApi, type Core, type LatencySettings } from './http/api-handler.js';
import { FileHost } from './http/file-host.js';
import { inProcessFetch } from './http/in-process-fetch.js';
import { listenServer } from './http/listen.js';
import { controlRoutes } from './http/control.js';
import { WebhookDispatcher } from './webhooks/dispatcher.js';
import { loadState, saveState } from './state/persist.js';
import type { EmulatorUserSpec } from './state/users.js';

export type { SeedSpec } from './seed/index.js';
export type { RateLimitSettings } from './http/rate-limit.js';
export { defaultRateLimits } from './http/rate-limit.js';
export type { FaultSettings } from './faults.js';
export type { EmulatorStats, WebhookDelivery } from './http/stats.js';
export { EmulatorAccount } from './state/account.js';
export type { ProductInput, StockInput } from './state/account.js';
export type { Entity, EntityType, StockCell } from './state/types.js';
export type { EmulatorUser, EmulatorUserSpec } from './state/users.js';
export { ref } from './state/types.js';
export { makePng } from './seed/png.js';

export interface EmulatorAccountSpec {
  login: string;
  password: string;
  seed?: SeedSpec;
  /** The tariff includes CRM (report/counterparty); default true. */
  crm?: boolean;
  /** Solution (app) tokens accepted as Bearer; weight 1, bucket per solution. */
  solutionTokens?: string[];
  /** The tariff allows webhooks (paid tariffs only); default true. False → 403/30006. */
  webhooks?: boolean;
  /** C10 more users (employees with a login) and their rights; the account's own login is its administrator. */
  users?: EmulatorUserSpec[];
}

export interface EmulatorOptions {
  clock?: Clock;
  accounts?: EmulatorAccountSpec[];
  limits?: false | Partial<RateLimitSettings>;
  latency?: { baseMs: number; perRowMs: number };
  publicBaseUrl?: string;
  webhookFetch?: typeof fetch;
  persistPath?: string;
  /** Delay between a stock change and the webhookstock notification (default 60 000 ms). */
  stockWebhookDelayMs?: number;
  /** C10 `report/stock/{all,bystore}/current` answers 13005 when it would return more rows than this. */
  reportRowLimit?: number;
}

export interface Emulator {
  app: Hono;
  fetch: typeof fetch;
  listen(port?: number, host?: string): Promise<{ baseUrl: string; close(): Promise<void> }>;
  /** e.g. http://127.0.0.1:8090/api/remap/1.2 (in-process: http://moysklad.emulator/api/remap/1.2). */
  readonly apiBaseUrl: string;
  /** Origin of the file host used in download redirects. */
  readonly fileOrigin: string;
  account(login: string): EmulatorAccount;
  accounts(): EmulatorAccount[];
  /** Adds an account at run time. */
  addAccount(spec: EmulatorAccountSpec): EmulatorAccount;
  stats(): EmulatorStats;
  resetStats(): void;
  setFaults(f: FaultSettings): void;
  setLimits(l: false | Partial<RateLimitSettings>): void;
  limits(): false | RateLimitSettings;
  setLatency(l: { baseMs?: number; perRowMs?: number }): void;
  /** C10 the row limit of the current-stock reports (13005 past it); null lifts it. */
  setReportRowLimit(limit: number | null): void;
  /** Sends pending stock notifications now and waits until every webhook delivery has finished. */
  flushWebhooks(): Promise<void>;
  /** Writes the state to `persistPath` (also done by close()). */
  save(): void;
  close(): Promise<void>;
}

export const IN_PROCESS_ORIGIN = 'http://moysklad.emulator';
export const IN_PROCESS_FILE_ORIGIN = 'http://files.moysklad.emulator';
export const DEFAULT_ACCOUNT: EmulatorAccountSpec = { login: 'admin@demo', password: 'demo', seed: 'demo' };

function resolveLimits(l: false | Partial<RateLimitSettings> | undefined): false | RateLimitSettings {
  if (l === false) return false;
  return { ...defaultRateLimits, ...(l ?? {}) };
}

export function createEmulator(options: EmulatorOptions = {}): Emulator {
  const clock = options.clock ?? systemClock;
  const accounts = new Map<string, EmulatorAccount>();
  const stats = new StatsRecorder();
  const faults = new Faults();
  const limiter = new RateLimiter(resolveLimits(options.limits));
  const latency: LatencySettings = { baseMs: options.latency?.baseMs ?? 0, perRowMs: options.latency?.perRowMs ?? 0 };
  const closed = new AbortController();
  let apiOrigin = options.publicBaseUrl ? new URL(options.publicBaseUrl).origin : IN_PROCESS_ORIGIN;
  let fileOrigin = IN_PROCESS_FILE_ORIGIN;
  const servers: { close(): Promise<void> }[] = [];
  const specs: EmulatorAccountSpec[] = options.accounts ?? [DEFAULT_ACCOUNT];

  const files = new FileHost(clock, () => fileOrigin);
  const dispatcher = new WebhookDispatcher({
    clock,
    fetch: () => options.webhookFetch ?? globalThis.fetch,
    base: () => `${apiOrigin}${API_PREFIX}`,
    stats,
    stockDelayMs: options.stockWebhookDelayMs,
  });

  const makeAccount = (spec: EmulatorAccountSpec): EmulatorAccount => {
    if (accounts.has(spec.login)) throw new Error(`duplicate emulator account ${spec.login}`);
    const a = newAccount(spec, clock);
    dispatcher.attach(a);
    accounts.set(spec.login, a);
    return a;
  };

  const loaded = options.persistPath ? loadState(options.persistPath, clock) : undefined;
  if (loaded) {
    for (const a of loaded) {
      dispatcher.attach(a);
      accounts.set(a.login, a);
    }
  } else for (const spec of specs) makeAccount(spec);

  const core: Core = {
    clock,
    accounts,
    limiter,
    faults,
    stats,
    latency,
    links: files,
    reportRowLimit: { value: options.reportRowLimit ?? null },
    apiOrigin: () => apiOrigin,
    origins: () => [apiOrigin, IN_PROCESS_ORIGIN],
    closed: closed.signal,
  };

  const app = new Hono();
  mountApi(app, core, files);
  const emulator: Emulator = {
    app,
    fetch: inProcessFetch(app),
    listen,
    get apiBaseUrl() {
      return `${apiOrigin}${API_PREFIX}`;
    },
    get fileOrigin() {
      return fileOrigin;
    },
    account(login) {
      const a = accounts.get(login);
      if (!a) throw new Error(`no emulator account ${login}`);
      return a;
    },
    accounts: () => [...accounts.values()],
    addAccount: makeAccount,
    stats: () => stats.snapshot(),
    resetStats: () => stats.reset(),
    setFaults: (f) => faults.set(f),
    setLimits: (l) => {
      limiter.settings = resolveLimits(l);
      limiter.reset();
    },
    limits: () => limiter.settings,
    setLatency: (l) => setLatency(latency, l),
    setReportRowLimit: (limit) => {
      core.reportRowLimit.value = limit === null || !Number.isFinite(limit) ? null : Math.max(0, Math.floor(limit));
    },
    flushWebhooks: () => dispatcher.flush(),
    save() {
      if (options.persistPath) saveState(options.persistPath, [...accounts.values()]);
    },
    async close() {
      closed.abort();
      dispatcher.stop();
      emulator.save();
      await Promise.all(servers.splice(0).map((s) => s.close()));
    },
  };

  mountControl(app, emulator, core, (state) => resetCore(core, state ? () => recreateAccounts(accounts, specs, makeAccount) : undefined));
  app.notFound((c) => c.text('Not Found', 404));

  async function listen(port = 0, host = '127.0.0.1'): Promise<{ baseUrl: string; close(): Promise<void> }> {
    const server = await listenServer(app, port, host);
    apiOrigin = options.publicBaseUrl ? new URL(options.publicBaseUrl).origin : `http://${server.host.includes(':') ? `[${server.host}]` : server.host}:${server.port}`;
    fileOrigin = `http://${server.host === 'localhost' ? '127.0.0.1' : 'localhost'}:${server.port}`;
    const handle = {
      baseUrl: `${apiOrigin}${API_PREFIX}`,
      close: () => {
        const idx = servers.indexOf(handle);
        if (idx >= 0) servers.splice(idx, 1);
        return server.close();
      },
    };
    servers.push(handle);
    return handle;
  }

  return emulator;
}

/** The API, the file host and the static image URLs. */
function mountApi(app: Hono, core: Core, files: FileHost): void {
  app.all(`${API_PREFIX}/*`, (c) => handleApi(c, core));
  app.all(API_PREFIX, (c) => handleApi(c, core));
  app.get('/files/:token', (c) => files.serve(c, core.accounts));
  app.get('/miniature/:accountId/documentminiature/:fileId', (c) => files.serveStatic(c, core.accounts));
  app.get('/static/tinyimage/:accountId/tinyimage/:fileId/t.png', (c) => files.serveStatic(c, core.accounts));
}

function setLatency(latency: LatencySettings, l: { baseMs?: number; perRowMs?: number }): void {
  if (l.baseMs !== undefined) latency.baseMs = Math.max(0, l.baseMs);
  if (l.perRowMs !== undefined) latency.perRowMs = Math.max(0, l.perRowMs);
}

/** A new account from its spec: tariff options, seed and users. */
function newAccount(spec: EmulatorAccountSpec, clock: Clock): EmulatorAccount {
  const a = new EmulatorAccount({ login: spec.login, password: spec.password, crm: spec.crm ?? true, solutionTokens: spec.solutionTokens ?? [], clock });
  if (spec.webhooks === false) a.setWebhooksAllowed(false);
  applySeed(a, spec.seed);
  for (const u of spec.users ?? []) a.addUser(u);
  return a;
}

/** The accounts made again from their specs (those without a spec, e.g. loaded from a file, are dropped). */
function recreateAccounts(accounts: Map<string, EmulatorAccount>, specs: EmulatorAccountSpec[], make: (spec: EmulatorAccountSpec) => EmulatorAccount): void {
  const logins = [...accounts.keys()];
  accounts.clear();
  for (const login of logins) {
    const spec = specs.find((s) => s.login === login);
    if (spec) make(spec);
  }
}

/** `/__control/reset`: stats, faults, limiter and 429 lock-outs cleared; with `recreate`, the state too. */
function resetCore(core: Core, recreate: (() => void) | undefined): void {
  core.stats.reset();
  core.faults.clear();
  core.limiter.reset();
  for (const a of core.accounts.values()) {
    a.apiDisabled = false;
    a.recent429.length = 0;
  }
  recreate?.();
}

function mountControl(app: Hono, emulator: Emulator, core: Core, reset: (state: boolean) => void): void {
  app.route(
    '/__control',
    controlRoutes({
      stats: emulator.stats,
      getFaults: () => core.faults.get(),
      setFaults: emulator.setFaults,
      setLimits: emulator.setLimits,
      getLimits: emulator.limits,
      setLatency: emulator.setLatency,
      getReportRowLimit: () => core.reportRowLimit.value,
      setReportRowLimit: emulator.setReportRowLimit,
      reset: ({ state }) => reset(Boolean(state)),
      flushWebhooks: emulator.flushWebhooks,
    }),
  );
}
