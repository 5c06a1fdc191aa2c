/**
 * B9: the real service, started the way users start it (`bin/moysklad-exchange.js start`, one Node
 * process with tsx registered in it), serves /metrics with the MoySklad, queue and sync-run series
 * after its first syncs, and stops cleanly on SIGTERM: exit code 0 within the deadline, no job left
 * `running` (finished or put back for the next start).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanEnv, freePort, ROOT, tempDir } from './cli-helpers.js';

const BIN = path.join(ROOT, 'bin', 'moysklad-exchange.js');
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

function startBin(env: NodeJS.ProcessEnv, cwd: string) {
  const child = spawn(process.execPath, [BIN, 'start'], { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
  const waitFor = async (text: string, timeoutMs: number): Promise<void> => {
    const until = Date.now() + timeoutMs;
    while (!stdout.includes(text)) {
      if (child.exitCode !== null) throw new Error(`exited ${child.exitCode} before "${text}"; stderr: ${stderr}`);
      if (Date.now() > until) throw new Error(`no "${text}" within ${timeoutMs} ms; stdout tail: ${stdout.slice(-2000)}; stderr: ${stderr}`);
      await new Promise((r) => setTimeout(r, 100)); // real process, real time: polling its output
    }
  };
  return { child, exited, waitFor, output: () => ({ stdout, stderr }) };
}

function runningJobs(dataDir: string): number {
  const db = new Database(path.join(dataDir, 'moysklad-exchange.sqlite'), { readonly: true });
  try {
    return (db.prepare("select count(*) as n from queue_jobs where state = 'running'").get() as { n: number }).n;
  } finally {
    db.close();
  }
}

describe('B9 operations of the real service', () => {
  it('B9 /metrics after the first syncs shows MoySklad requests by status and code, queue depth and sync runs with durations; SIGTERM exits 0', async () => {
    const root = tempDir();
    dirs.push(root);
    const port = await freePort();
    const dataDir = path.join(root, 'data');
    const env = cleanEnv({ PORT: String(port), DATA_DIR: dataDir, LOG_DIR: path.join(root, 'logs'), LOG_LEVEL: 'info', PUBLIC_BASE_URL: `http://127.0.0.1:${port}` });
    const svc = startBin(env, root);
    try {
      await svc.waitFor('Platform API:', 120_000);
      await svc.waitFor('"msg":"stock.full ok', 150_000);
      // B3 in the demo: the in-process emulator reaches the loopback PUBLIC_BASE_URL, so the webhooks are registered.
      await svc.waitFor('"msg":"webhooks ok', 60_000);
      const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      expect(text).toMatch(/^msx_moysklad_requests_total\{status="200",code="none"\} [1-9]\d*$/m);
      expect(text).toContain('# TYPE msx_moysklad_429_total counter');
      expect(text).toMatch(/^msx_sync_runs_total\{kind="nomenclature\.full",outcome="ok"\} 1$/m);
      expect(text).toMatch(/^msx_sync_runs_total\{kind="stock\.full",outcome="ok"\} 1$/m);
      expect(text).toMatch(/^msx_sync_run_duration_seconds_count\{kind="stock\.full",outcome="ok"\} 1$/m);
      expect(text).toMatch(/^msx_job_runs_total\{kind="stock\.full",outcome="ok"\} 1$/m);
      expect(text).toMatch(/^msx_queue_depth\{kind="stock\.incremental",state="queued"\} \d+$/m);
      expect(text).toMatch(/^msx_queue_depth\{kind="nomenclature\.incremental",state="running"\} \d+$/m);
      const t0 = Date.now();
      svc.child.kill('SIGTERM');
      const { code, signal } = await svc.exited;
      const stopMs = Date.now() - t0;
      console.info(`[B9] SIGTERM → exit ${code} in ${stopMs} ms (idle service)`);
      expect({ code, signal }).toEqual({ code: 0, signal: null });
      expect(stopMs).toBeLessThan(15_000);
      expect(runningJobs(dataDir)).toBe(0);
    } finally {
      if (svc.child.exitCode === null) svc.child.kill('SIGKILL');
    }
  }, 400_000);

  it('B9 SIGTERM in the middle of the first syncs: running jobs finish or are put back, exit 0 within the deadline', async () => {
    const root = tempDir();
    dirs.push(root);
    const port = await freePort();
    const dataDir = path.join(root, 'data');
    const env = cleanEnv({ PORT: String(port), DATA_DIR: dataDir, LOG_DIR: path.join(root, 'logs'), LOG_LEVEL: 'info' });
    const svc = startBin(env, root);
    try {
      await svc.waitFor('Platform API:', 120_000);
      // The nomenclature pass starts right after the categories.
      await svc.waitFor('"msg":"categories ok', 120_000);
      const t0 = Date.now();
      svc.child.kill('SIGTERM');
      const { code, signal } = await svc.exited;
      const stopMs = Date.now() - t0;
      console.info(`[B9] SIGTERM during the first syncs → exit ${code} in ${stopMs} ms`);
      expect({ code, signal }).toEqual({ code: 0, signal: null });
      // The worker gives running jobs 10 s, then asks them to checkpoint; the process must not hang.
      expect(stopMs).toBeLessThan(25_000);
      expect(runningJobs(dataDir)).toBe(0);
    } finally {
      if (svc.child.exitCode === null) svc.child.kill('SIGKILL');
    }
  }, 300_000);
});
