import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { EmbeddedJobQueue } from '../../src/queue/embedded-queue.js';
import { createWorker } from '../../src/queue/worker.js';
import { createDatabase } from '../../src/store/database.js';
import { migrateToLatest } from '../../src/store/migrate.js';
import { waitUntil } from './helpers.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'msx-queue-restart-'));
afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

/** Runs the child until it prints RUNNING, then kills it with SIGKILL; returns the job ids it enqueued. */
function runAndKill(): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(here, 'fixtures/embedded-crash-child.ts'), dataDir], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    let ids: string[] = [];
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString();
      const m = /IDS (\[.*\])/.exec(out);
      if (m) ids = JSON.parse(m[1]!) as string[];
      if (out.includes('RUNNING') && child.exitCode === null) child.kill('SIGKILL');
    });
    child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    child.on('exit', (code, signal) => (signal === 'SIGKILL' ? resolve(ids) : reject(new Error(`child exited ${code}: ${err}`))));
  });
}

describe('embedded engine survives a killed process', () => {
  it('B7 runs the jobs a killed process left (queued and mid-run) after reopening the same SQLite file', async () => {
    const ids = await runAndKill();
    expect(ids).toHaveLength(3);

    const { db, destroy } = createDatabase({ dataDir });
    try {
      await migrateToLatest(db);
      const clock = new ManualClock({ start: Date.now(), autoAdvance: true });
      const queue = new EmbeddedJobQueue({ db, clock, staleAfterMs: 120_000 });
      const before = await Promise.all(ids.map((id) => queue.get(id)));
      expect(before.map((j) => j?.state)).toEqual(['running', 'queued', 'queued']);
      const ran: string[] = [];
      const handler = async ({ job }: { job: { id: string } }) => {
        ran.push(job.id);
        return { ok: true };
      };
      const worker = createWorker({
        db,
        queue,
        clock,
        leaseKeyFor: () => undefined,
        handlers: { 'nomenclature.full': handler, categories: handler, 'stock.full': handler },
      });
      worker.start();
      await waitUntil(async () => (await queue.depth())['nomenclature.full'] === undefined, 'abandoned job reclaimed and run');
      await worker.idle();
      await worker.stop();
      expect(ran.sort()).toEqual([...ids].sort());
      const after = await Promise.all(ids.map((id) => queue.get(id)));
      expect(after.map((j) => j?.state)).toEqual(['completed', 'completed', 'completed']);
      expect(after[0]?.attempt).toBe(2); // the killed run counted as the first attempt
    } finally {
      await destroy();
    }
  });
});
