/**
 * @module chaos (S6)
 * Kills the order exporter with SIGKILL at random points of export and checks MoySklad afterwards:
 * every order exactly once, with exactly its positions. Everything runs in separate processes on
 * loopback, as in production: the MoySklad emulator (`moysklad-exchange emulator`), the API
 * (`moysklad-exchange serve`, through which the orders come in) and the exporter
 * (`moysklad-exchange sync outbox`, the code the worker runs for the `outbox` job), each started
 * from `bin/moysklad-exchange.js`.
 *
 * After each kill the rows the killed exporter held (`running`) are put back with the drain's own
 * `requeueStale` and a cutoff of now: that is what the next drain does once the 15-minute stale
 * window has passed, without waiting for it. Used by `test/hardening/s6-chaos.test.ts` (short form)
 * and `npm run chaos` (long form, prints the figures).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { systemClock } from '../../src/core/clock.js';
import { loadConfig, type AppConfig } from '../../src/config/config.js';
import { ensureCentralIntegration, prepareStore } from '../../src/main.js';
import { ApiTokenService } from '../../src/server/auth.js';
import { IntegrationRepository } from '../../src/store/repositories/integration-repository.js';
import { OutboxRepository } from '../../src/store/repositories/outbox-repository.js';
import { createDatabase, type StoreDatabase } from '../../src/store/database.js';
import { createRng } from '../../src/emulator/state/ids.js';
import { freePort } from '../cli/cli-helpers.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const BIN = path.join(ROOT, 'bin/moysklad-exchange.js');
const MS_LOGIN = 'admin@chaos';
const MS_PASSWORD = 'chaos-pass';

export interface ChaosOptions {
  dialect: 'sqlite' | 'postgres';
  /** SIGKILLs during export to reach (each one counted only when rows were in flight). */
  kills: number;
  ordersPerRound: number;
  /** Emulator latency per request (ms): stretches the export so kills land inside it. */
  latencyMs: number;
  /** The kill comes after a random number of the round's orders went out plus a random delay in [0, max] ms. */
  maxKillDelayMs: number;
  /** PostgreSQL server (a database is created and dropped). */
  pgUrl?: string;
  seed?: number;
  log?: (line: string) => void;
}

export interface ChaosFigures {
  dialect: string;
  orders: number;
  positions: number;
  kills: number;
  killsDuringExport: number;
  exporterRuns: number;
  msOrders: number;
  lost: number;
  doubled: number;
  positionMismatches: number;
  productsCreated: number;
  productsDoubled: number;
  killDelaysMs: number[];
  durationMs: number;
}


const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface Proc {
  child: ChildProcess;
  exited: Promise<number | null>;
  output: () => string;
}

function run(args: string[], env: NodeJS.ProcessEnv, logFile: string): Proc {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const sink = fs.createWriteStream(logFile, { flags: 'a' });
  const take = (d: Buffer): void => {
    out += d.toString();
    if (out.length > 200_000) out = out.slice(-100_000);
    sink.write(d);
  };
  child.stdout?.on('data', take);
  child.stderr?.on('data', take);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => {
    sink.end();
    resolve(code);
  }));
  return { child, exited, output: () => out };
}

async function waitFor(what: string, fn: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (await fn().catch(() => false)) return;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

const basic = `Basic ${Buffer.from(`${MS_LOGIN}:${MS_PASSWORD}`).toString('base64')}`;

async function msGet(base: string, pathAndQuery: string): Promise<{ rows: Record<string, unknown>[] }> {
  const res = await fetch(`${base}${pathAndQuery}`, { headers: { authorization: basic, 'accept-encoding': 'gzip' } });
  if (!res.ok) throw new Error(`emulator ${pathAndQuery}: ${res.status}`);
  return (await res.json()) as { rows: Record<string, unknown>[] };
}

async function msAll(base: string, entityPath: string): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  for (let offset = 0; ; offset += 1000) {
    const page = await msGet(base, `${entityPath}${entityPath.includes('?') ? '&' : '?'}limit=1000&offset=${offset}`);
    out.push(...page.rows);
    if (page.rows.length < 1000) return out;
  }
}

/** Retries a request through the API until it gets an answer (the API process may be busy). */
async function apiCall(url: string, token: string, method: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  for (let i = 0; ; i++) {
    try {
      const res = await fetch(url, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, ...(body ? { body: JSON.stringify(body) } : {}) });
      return { status: res.status, json: (await res.json()) as Record<string, unknown> };
    } catch (e) {
      if (i > 50) throw e;
      await sleep(200);
    }
  }
}

async function prepare(env: NodeJS.ProcessEnv, msBase: string): Promise<{ config: AppConfig; token: string }> {
  const config = loadConfig(env);
  const { store, box } = await prepareStore(config, systemClock);
  try {
    const logger = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined, child: () => logger } as never;
    const integrationId = await ensureCentralIntegration({ store, box, clock: systemClock, config, demo: null, logger, console: { out: () => undefined } });
    const org = (await msGet(msBase, '/entity/organization')).rows[0] as { id: string; name: string };
    await new IntegrationRepository(store.db, systemClock).update(Number(integrationId), { active: true, organizationMsId: org.id, organizationName: org.name });
    const { token } = await new ApiTokenService({ db: store.db, clock: systemClock }).create('chaos');
    return { config, token };
  } finally {
    await store.destroy();
  }
}

async function withStore<T>(config: AppConfig, fn: (s: StoreDatabase) => Promise<T>): Promise<T> {
  const s = createDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolMax: 2 });
  try {
    return await fn(s);
  } finally {
    await s.destroy();
  }
}

/** Puts back every `running` row: what the next drain does once the stale window has passed. */
function requeueAll(config: AppConfig): Promise<number> {
  return withStore(config, (s) => new OutboxRepository(s.db, systemClock).requeueStale(new Date(Date.now() + 1000)));
}

async function inFlight(config: AppConfig): Promise<number> {
  return withStore(config, async (s) => {
    const r = await s.db.selectFrom('outbox').select((eb) => eb.fn.countAll<number>().as('n')).where('state', 'in', ['pending', 'running']).executeTakeFirstOrThrow();
    return Number(r.n);
  });
}

interface KillContext {
  o: ChaosOptions;
  rand: () => number;
  createRound: () => Promise<void>;
  config: AppConfig;
  env: NodeJS.ProcessEnv;
  dir: string;
  log: (line: string) => void;
}

/** Rounds of orders, each exported by an exporter that is killed at a random point, until enough kills. */
async function killRounds({ o, rand, createRound, config, env, dir, log }: KillContext): Promise<Pick<ChaosFigures, 'kills' | 'killsDuringExport' | 'exporterRuns' | 'killDelaysMs'>> {
  let kills = 0;
  let killsDuringExport = 0;
  let exporterRuns = 0;
  const killDelaysMs: number[] = [];
  const requeue = (): Promise<number> => requeueAll(config);
  const monitor = createDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolMax: 1 });
  const countState = async (state: 'sent' | 'running'): Promise<number> =>
    Number((await monitor.db.selectFrom('outbox').select((eb) => eb.fn.countAll<number>().as('n')).where('state', '=', state).executeTakeFirstOrThrow()).n);
  try {
    for (let round = 0; killsDuringExport < o.kills && round < o.kills * 8; round++) {
      await createRound();
      log(`[chaos] round ${round + 1}: orders created`);
      const sentBefore = await countState('sent');
      // The kill point: after a random number of this round's orders went out, plus a random delay,
      // so that kills land before the first order, between orders and inside one order's requests.
      const target = Math.floor(rand() * o.ordersPerRound);
      const delay = Math.floor(rand() * o.maxKillDelayMs);
      const exporter = run(['sync', 'outbox'], env, path.join(dir, 'exporter.log'));
      exporterRuns++;
      await waitFor('the exporter to reach its kill point', async () => exporter.child.exitCode !== null || ((await countState('running')) > 0 && (await countState('sent')) - sentBefore >= target), 120_000);
      await Promise.race([sleep(delay), exporter.exited]);
      if (exporter.child.exitCode === null) {
        const sentAtKill = (await countState('sent')) - sentBefore;
        const pending = await inFlight(config);
        exporter.child.kill('SIGKILL');
        await exporter.exited;
        kills++;
        if (pending > 0) {
          killsDuringExport++;
          killDelaysMs.push(delay);
        }
        log(`[chaos] round ${round + 1}: SIGKILL after ${sentAtKill} of the round's orders (+${delay} ms), ${pending} outbox rows in flight`);
      } else {
        log(`[chaos] round ${round + 1}: the exporter finished before its kill point (${target} orders +${delay} ms)`);
      }
      await requeue();
    }
  } finally {
    await monitor.destroy();
  }

  return { kills, killsDuringExport, exporterRuns, killDelaysMs };
}

type Verified = Pick<ChaosFigures, 'orders' | 'positions' | 'msOrders' | 'lost' | 'doubled' | 'positionMismatches' | 'productsCreated' | 'productsDoubled'>;

/** What MoySklad holds now, against what the store holds. */
async function verify(config: AppConfig, msBase: string, msOrdersBefore: number, msProductsBefore: number): Promise<Verified> {
  const local = await withStore(config, async (s) => {
    const orders = await s.db.selectFrom('orders').select(['id', 'syncId', 'exportState']).where('externalId', 'like', 'chaos-%').execute();
    const positions = await s.db.selectFrom('orderPositions').select(['orderId', 'quantity', 'price']).execute();
    return { orders, positions };
  });
  const msOrders = await msAll(msBase, '/entity/customerorder');
  const bySync = new Map<string, Record<string, unknown>[]>();
  for (const m of msOrders) if (typeof m.syncId === 'string') bySync.set(m.syncId, [...(bySync.get(m.syncId) ?? []), m]);
  let lost = 0;
  let doubled = 0;
  let positionMismatches = 0;
  for (const ord of local.orders) {
    const found = bySync.get(String(ord.syncId)) ?? [];
    if (found.length === 0) lost++;
    if (found.length > 1) doubled += found.length - 1;
    if (found.length !== 1) continue;
    const msPositions = (await msAll(msBase, `/entity/customerorder/${String(found[0]!.id)}/positions`)).map((p) => `${Number(p.quantity)}×${Number(p.price)}`).sort();
    const want = local.positions.filter((p) => Number(p.orderId) === Number(ord.id)).map((p) => `${Number(p.quantity)}×${Number(p.price)}`).sort();
    if (JSON.stringify(msPositions) !== JSON.stringify(want)) positionMismatches++;
  }
  // Orders in MoySklad that are not ours (beyond the seed's) would be doubles without a syncId match.
  doubled += Math.max(0, msOrders.length - msOrdersBefore - local.orders.length);
  const products = (await msAll(msBase, '/entity/product')).slice(msProductsBefore);
  const codes = products.map((p) => String(p.code ?? p.article ?? p.name));
  const productsDoubled = codes.length - new Set(codes).size;
  return {
    orders: local.orders.length,
    positions: local.positions.filter((p) => local.orders.some((x) => Number(x.id) === Number(p.orderId))).length,
    msOrders: msOrders.length - msOrdersBefore,
    lost,
    doubled,
    positionMismatches,
    productsCreated: products.length,
    productsDoubled,
  };
}

/** Runs the chaos scenario; always stops its processes and removes its files. */
export async function runChaos(o: ChaosOptions): Promise<ChaosFigures> {
  const started = Date.now();
  const sink = o.log ?? (() => undefined);
  const log = (line: string): void => sink(`${line} [t=${((Date.now() - started) / 1000).toFixed(1)} s]`);
  // Deterministic, so that a run can be repeated by its seed.
  const rand = createRng(o.seed ?? 20261203);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mse-chaos-'));
  const procs: Proc[] = [];
  let pgDb: string | null = null;
  const pgUrl = o.pgUrl ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  try {
    const [msPort, apiPort] = [await freePort(), await freePort()];
    const emulator = run(['emulator', '--port', String(msPort), '--seed', 'demo', '--login', MS_LOGIN, '--password', MS_PASSWORD, '--no-limits', '--latency-base', String(o.latencyMs)], { ...process.env }, path.join(dir, 'emulator.log'));
    procs.push(emulator);
    const msBase = `http://127.0.0.1:${msPort}/api/remap/1.2`;
    await waitFor('the emulator', async () => (await msGet(msBase, '/entity/organization')).rows.length > 0);

    let databaseUrl: string | undefined;
    if (o.dialect === 'postgres') {
      pgDb = `chaos_${randomBytes(5).toString('hex')}`;
      const admin = new pg.Client({ connectionString: pgUrl });
      await admin.connect();
      await admin.query(`create database ${pgDb}`);
      await admin.end();
      const u = new URL(pgUrl);
      u.pathname = `/${pgDb}`;
      databaseUrl = u.toString();
    }
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      DATA_DIR: path.join(dir, 'data'),
      LOG_DIR: path.join(dir, 'logs'),
      SECRET_KEY: randomBytes(32).toString('hex'),
      MOYSKLAD_BASE_URL: msBase,
      MOYSKLAD_LOGIN: MS_LOGIN,
      MOYSKLAD_PASSWORD: MS_PASSWORD,
      PORT: String(apiPort),
      HOST: '127.0.0.1',
      ADMIN_PASSWORD: 'chaos-admin-password',
      LOG_LEVEL: 'warn',
      ...(databaseUrl ? { DATABASE_URL: databaseUrl } : { DATABASE_URL: '' }),
    };
    const { config, token } = await prepare(env, msBase);
    const msOrdersBefore = (await msAll(msBase, '/entity/customerorder')).length;
    const msProductsBefore = (await msAll(msBase, '/entity/product')).length;

    const api = run(['serve'], env, path.join(dir, 'serve.log'));
    procs.push(api);
    const apiBase = `http://127.0.0.1:${apiPort}/api/v1`;
    await waitFor('the API', async () => (await fetch(`${apiBase}/regions`, { headers: { authorization: `Bearer ${token}` } })).status === 200);
    const regionId = Number(((await apiCall(`${apiBase}/regions`, token, 'GET')).json.items as { id: number }[])[0]!.id);
    const clients: number[] = [];
    for (let i = 1; i <= 3; i++) {
      const r = await apiCall(`${apiBase}/clients`, token, 'POST', { externalId: `chaos-client-${i}`, name: `Клиент хаоса ${i}`, regionId, email: `chaos${i}@example.ru` });
      clients.push(Number(r.json.id));
    }

    let orderSeq = 0;
    const createRound = async (): Promise<void> => {
      for (let i = 0; i < o.ordersPerRound; i++) {
        orderSeq++;
        const n = 1 + Math.floor(rand() * 4);
        const positions = Array.from({ length: n }, (_, k) => ({
          brand: 'CHAOS',
          // A small article pool: several orders share each unknown product, which must be created once.
          article: `CH-${1 + Math.floor(rand() * 12)}-${k}`,
          quantity: 1 + Math.floor(rand() * 9),
          priceKopecks: 100 + Math.floor(rand() * 100_000),
        }));
        const r = await apiCall(`${apiBase}/orders`, token, 'POST', { kind: 'customer', externalId: `chaos-${orderSeq}`, regionId, counterpartyId: clients[orderSeq % clients.length], comment: `Заказ хаоса ${orderSeq}`, positions });
        if (r.status !== 201 && r.status !== 409) throw new Error(`order ${orderSeq}: ${r.status} ${JSON.stringify(r.json)}`);
      }
    };

    const killed = await killRounds({ o, rand, createRound, config, env, dir, log });
    let exporterRuns = killed.exporterRuns;
    const { kills, killsDuringExport, killDelaysMs } = killed;
    const requeue = (): Promise<number> => requeueAll(config);
    // Recovery: exporters run to completion until nothing is in flight.
    for (let i = 0; i < 6 && (await inFlight(config)) > 0; i++) {
      await requeue();
      const exporter = run(['sync', 'outbox'], env, path.join(dir, 'exporter.log'));
      exporterRuns++;
      await exporter.exited;
    }

    const v = await verify(config, msBase, msOrdersBefore, msProductsBefore);
    return { dialect: o.dialect, ...v, kills, killsDuringExport, exporterRuns, killDelaysMs, durationMs: Date.now() - started };
  } finally {
    for (const p of procs.reverse()) {
      if (p.child.exitCode === null) {
        p.child.kill('SIGTERM');
        await Promise.race([p.exited, sleep(5000)]);
        if (p.child.exitCode === null) p.child.kill('SIGKILL');
      }
    }
    if (pgDb) {
      const admin = new pg.Client({ connectionString: pgUrl });
      await admin.connect();
      await admin.query(`drop database if exists ${pgDb} with (force)`).catch(() => undefined);
      await admin.end();
    }
    if (process.env.CHAOS_KEEP !== '1') fs.rmSync(dir, { recursive: true, force: true });
    else log(`[chaos] files kept in ${dir}`);
  }
}
