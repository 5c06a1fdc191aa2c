/**
 * The scale scenario shared by the PostgreSQL scale test and its benchmark: N integrations spread over
 * M MoySklad accounts of the emulator (listening on a loopback port, MoySklad rate limits ON), one
 * `nomenclature.full` job per integration enqueued through pg-boss, W worker child processes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { sql } from 'kysely';
import { SecretBox } from '../../src/core/secret-box.js';
import { createEmulator, type EmulatorAccountSpec, type EmulatorStats } from '../../src/emulator/index.js';
import { requestWeight } from '../../src/moysklad/limiter.js';
import { PgBossJobQueue } from '../../src/queue/pg-boss-queue.js';
import { openTestDatabase, TEST_PG_URL } from '../helpers/databases.js';
import { seedAccountRow } from '../helpers/seed-integration.js';

const here = path.dirname(fileURLToPath(import.meta.url));

export interface ScaleOptions {
  integrations: number;
  accounts: number;
  productsPerAccount: number;
  workers: number;
  concurrency: number;
  /** Products per page of the listing (default 1000). */
  pageLimit?: number;
  /**
   * Runs the emulator elsewhere (the benchmark: a process of its own, as its other rows) instead of in this
   * process; gets the accounts to serve. Default: in-process, listening on a loopback port.
   */
  startEmulator?: (accounts: EmulatorAccountSpec[]) => Promise<ScaleEmulator>;
}

/** The emulator the scenario talks to over loopback HTTP. */
export interface ScaleEmulator {
  apiBaseUrl: string;
  stats(): EmulatorStats | Promise<EmulatorStats>;
  close(): Promise<void>;
}

/** The in-process emulator (MoySklad limits on) listening on a loopback port. */
async function inProcessEmulator(accounts: EmulatorAccountSpec[]): Promise<ScaleEmulator> {
  const emulator = createEmulator({ accounts });
  const server = await emulator.listen(0, '127.0.0.1');
  return {
    apiBaseUrl: emulator.apiBaseUrl,
    stats: () => emulator.stats(),
    close: async () => {
      await server.close();
      await emulator.close();
    },
  };
}

export interface ScaleResult {
  jobs: string[];
  runs: Array<{ claimedAt: Date | null; completedAt: Date | null; jobId: string; integrationId: string; account: string; worker: string; products: number; pages: number; stores: number; startedAt: Date; finishedAt: Date }>;
  emulator429: number;
  emulatorRequests: number;
  clientRateLimited: number;
  /** Every MoySklad request the workers made (epoch ms; worker = index of the worker process). */
  requests: Array<{ account: string; worker: number; sentMs: number; answeredMs: number; status: number }>;
  /** Epoch ms of the first enqueue. */
  startedAtMs: number;
  /** From the first job enqueued to the last one done (the workers were started and idle before). */
  elapsedMs: number;
  /** Of which enqueuing the jobs (the workers already run the first ones meanwhile). */
  enqueuedMs: number;
  /** Per account: the least time its requests need under 45 units / 3 s (the first 45 units are free). */
  floorsMs: Record<string, number>;
  workersUsed: number;
  /** True when two runs of one account overlapped in time (must not happen). */
  accountOverlap: boolean;
  /** Over all accounts: how often an account's next job ran on another worker process than its previous one. */
  hops: number;
  /** CPU time (user + system) the worker processes used from READY to their stop, summed. */
  workerCpuMs: number;
  /** CPU time this (coordinating) process used from the first enqueue to the last job done. */
  coordinatorCpuMs: number;
}

export async function runScaleScenario(o: ScaleOptions): Promise<ScaleResult> {
  const accounts = Array.from({ length: o.accounts }, (_, i) => ({ login: `shop${i + 1}@scale`, password: `pw-${i + 1}` }));
  const emulator = await (o.startEmulator ?? inProcessEmulator)(
    accounts.map((a, i) => ({ ...a, seed: { kind: 'generated' as const, products: o.productsPerAccount, seed: i + 1 } })),
  );
  const tdb = await openTestDatabase('postgres');
  const bossSchema = `pgboss_scale_${randomBytes(4).toString('hex')}`;
  const children: ChildProcess[] = [];
  const queue = new PgBossJobQueue({ connectionString: TEST_PG_URL, schema: bossSchema, supervise: false, kinds: ['nomenclature.full'] });
  try {
    await sql`create table scale_runs (job_id text not null, integration_id text, account text not null, worker text not null,
      products integer not null, pages integer not null, stores integer not null, started_at text not null, finished_at text not null)`.execute(tdb.db);
    await queue.start();
    // the credentials as the module stores them (encrypted ms_accounts rows): the workers' client pools read them
    const secretKey = randomBytes(32);
    const secretBox = new SecretBox(secretKey);
    const now = new Date().toISOString();
    const accountIds: Record<string, number> = {};
    for (const a of accounts)
      accountIds[a.login] = await seedAccountRow(tdb.db, {
        now,
        secretBox,
        baseUrl: emulator.apiBaseUrl,
        account: { label: a.login, authKind: 'password', login: a.login, credentialKey: a.login, secret: a.password },
      });
    const jobs: string[] = [];
    const done = new Set<string>();
    let allDone!: () => void;
    const finished = new Promise<void>((r) => (allDone = r));
    const stats: Array<{ rateLimited: number; cpuMs?: number }> = [];
    const exits: Array<Promise<void>> = [];
    const readies: Array<Promise<void>> = [];
    const requests: ScaleResult['requests'] = [];
    const env = {
      ...process.env,
      MSX_SCALE: JSON.stringify({
        url: TEST_PG_URL,
        appSchema: tdb.schema,
        bossSchema,
        secretKey: secretKey.toString('hex'),
        accountIds,
        concurrency: o.concurrency,
        pageLimit: o.pageLimit ?? 1000,
      }),
    };
    // The workers start (tsx, pg-boss, pools) BEFORE anything is enqueued: process start-up is not the sync.
    for (let w = 0; w < o.workers; w++) {
      const child = spawn(process.execPath, ['--import', 'tsx', path.join(here, 'fixtures/scale-worker.ts')], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      children.push(child);
      let buf = '';
      let err = '';
      let ready!: () => void;
      readies.push(new Promise<void>((r) => (ready = r)));
      child.stdout!.on('data', (b: Buffer) => {
        buf += b.toString();
        let nl: number;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, nl);
          buf = buf.slice(nl + 1);
          if (line.startsWith('DONE ')) {
            done.add(line.slice(5));
            if (jobs.length === o.integrations && done.size >= jobs.length) allDone();
          } else if (line.startsWith('REQ ')) {
            const [account, sentMs, answeredMs, status] = JSON.parse(line.slice(4)) as [string, number, number, number];
            requests.push({ account, worker: w, sentMs, answeredMs, status });
          } else if (line === 'READY') ready();
          else if (line.startsWith('STATS ')) stats.push(JSON.parse(line.slice(6)) as { rateLimited: number; cpuMs?: number });
        }
      });
      child.stderr!.on('data', (b: Buffer) => (err += b.toString()));
      exits.push(
        new Promise<void>((resolve, reject) =>
          child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`worker exited ${code}: ${err.slice(-2000)}`)))),
        ),
      );
    }
    const failedEarly = Promise.race(exits.map((e) => e.then(() => Promise.reject(new Error('a worker exited early')))));
    failedEarly.catch(() => undefined);
    await Promise.race([Promise.all(readies), failedEarly]);
    // Wall time: from the first job enqueued to the last one done.
    const started = Date.now();
    const cpuAtStart = process.cpuUsage();
    // as the nightly schedule does: every integration's run in one batch
    const batch = await queue.enqueueMany(
      Array.from({ length: o.integrations }, (_, k) => ({
        kind: 'nomenclature.full',
        integrationId: k + 1,
        trigger: 'test',
        payload: { account: accounts[k % o.accounts]!.login },
      })),
    );
    jobs.push(...batch.map((r) => r.jobId));
    const enqueuedMs = Date.now() - started;
    if (done.size >= jobs.length) allDone();
    await Promise.race([finished, failedEarly]);
    const elapsedMs = Date.now() - started;
    const coordinatorCpu = process.cpuUsage(cpuAtStart);
    for (const c of children) c.kill('SIGTERM');
    await Promise.all(exits);

    const rows = (await sql<{
      job_id: string;
      integration_id: string;
      account: string;
      worker: string;
      products: number;
      pages: number;
      stores: number;
      started_at: string;
      finished_at: string;
    }>`select * from scale_runs`.execute(tdb.db)).rows;
    // CamelCasePlugin maps the columns of raw queries too
    // when pg-boss handed each job to a worker (claim) and recorded it complete
    const bc = new pg.Client({ connectionString: TEST_PG_URL });
    await bc.connect();
    const bossRows = (await bc.query<{ id: string; started_on: Date | null; completed_on: Date | null }>(`select id, started_on, completed_on from ${bossSchema}.job`)).rows;
    await bc.end();
    const claims = new Map(bossRows.map((b) => [b.id, b]));
    const runs = rows.map((r) => {
      const x = r as unknown as Record<string, unknown>;
      const jobId = String(x.jobId ?? x.job_id);
      const b = claims.get(jobId);
      return {
        claimedAt: b?.started_on ?? null,
        completedAt: b?.completed_on ?? null,
        jobId,
        integrationId: String(x.integrationId ?? x.integration_id),
        account: String(x.account),
        worker: String(x.worker),
        products: Number(x.products),
        pages: Number(x.pages),
        stores: Number(x.stores),
        startedAt: new Date(String(x.startedAt ?? x.started_at)),
        finishedAt: new Date(String(x.finishedAt ?? x.finished_at)),
      };
    });
    let accountOverlap = false;
    const byAccount = new Map<string, typeof runs>();
    for (const r of runs) byAccount.set(r.account, [...(byAccount.get(r.account) ?? []), r]);
    const floorsMs: Record<string, number> = {};
    const weight = requestWeight('password', 'entity/product', started);
    for (const [account, list] of byAccount) {
      list.sort((a, b) => a.startedAt.getTime() - b.startedAt.getTime());
      // runs of one credential on DIFFERENT workers must never overlap (one worker process may run several
      // jobs of its credential at once: they share its one client and limiter)
      for (let i = 0; i < list.length; i++)
        for (let j = i + 1; j < list.length; j++)
          if (list[i]!.worker !== list[j]!.worker && list[j]!.startedAt < list[i]!.finishedAt && list[i]!.startedAt < list[j]!.finishedAt) accountOverlap = true;
      const units = list.reduce((n, r) => n + (r.pages + 1) * weight, 0);
      floorsMs[account] = Math.max(0, ((units - 45) / 45) * 3000);
    }
    const st = await emulator.stats();
    let hops = 0;
    for (const list of byAccount.values()) hops += list.slice(1).filter((x, i) => x.worker !== list[i]!.worker).length;
    return {
      jobs,
      runs,
      emulator429: st.tooMany,
      emulatorRequests: st.requests,
      clientRateLimited: stats.reduce((n, s) => n + s.rateLimited, 0),
      requests,
      startedAtMs: started,
      elapsedMs,
      enqueuedMs,
      floorsMs,
      workersUsed: new Set(runs.map((r) => r.worker)).size,
      accountOverlap,
      hops,
      workerCpuMs: stats.reduce((n, s) => n + (s.cpuMs ?? 0), 0),
      coordinatorCpuMs: Math.round((coordinatorCpu.user + coordinatorCpu.system) / 1000),
    };
  } finally {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    await queue.stop().catch(() => undefined);
    await emulator.close();
    await tdb.dispose();
    const c = new pg.Client({ connectionString: TEST_PG_URL });
    await c.connect();
    await c.query(`drop schema if exists ${bossSchema} cascade`);
    await c.end();
  }
}

/**
 * Per account, what happened when (ms after the first enqueue): each job as `w<worker>:<claimed>/<handler
 * start>-<handler end>`, and the gaps between the account's consecutive requests — to see where wall
 * time goes beyond the rate-limit floor (pickup latency, lease hand-over, bookkeeping).
 */
export function formatTimeline(r: ScaleResult): string {
  const t0 = r.startedAtMs;
  const ms = (d: Date | number | null): string => (d === null ? '?' : String((typeof d === 'number' ? d : d.getTime()) - t0));
  const workers = [...new Set(r.runs.map((x) => x.worker))].sort();
  const lines: string[] = [];
  for (const account of [...new Set(r.runs.map((x) => x.account))].sort()) {
    const runs = r.runs.filter((x) => x.account === account).sort((a, b) => a.startedAt.getTime() - b.startedAt.getTime());
    const reqs = r.requests.filter((q) => q.account === account).sort((a, b) => a.sentMs - b.sentMs);
    const gaps = reqs.slice(1).map((q, i) => q.sentMs - reqs[i]!.sentMs);
    const hops = runs.slice(1).filter((x, i) => x.worker !== runs[i]!.worker).length;
    const last = reqs.at(-1);
    lines.push(
      `${account}: ${reqs.length} requests, first sent ${reqs[0] ? ms(reqs[0].sentMs) : '?'}, last answered ${last ? ms(last.answeredMs) : '?'}; ` +
        `${hops} worker hops; gaps between sends ${gaps.join(' ')}`,
    );
    lines.push(
      '   jobs ' + runs.map((x) => `w${workers.indexOf(x.worker)}:${ms(x.claimedAt)}/${ms(x.startedAt)}-${ms(x.finishedAt)}`).join(' '),
    );
  }
  return lines.join('\n');
}
