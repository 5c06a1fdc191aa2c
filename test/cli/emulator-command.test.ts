/**
 * B4: the standalone emulator started the way the README says (`moysklad-exchange emulator`) keeps
 * serving until it is told to stop, answers a plain MoySklad client (gzip, Basic auth), and exits 0
 * on SIGTERM. A regression test: the command once returned right after listening and the CLI
 * wrapper then ended the process two seconds later.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cleanEnv, freePort, ROOT } from './cli-helpers.js';

const BIN = path.join(ROOT, 'bin', 'moysklad-exchange.js');

describe('B4 emulator command', () => {
  it('B4 serves until SIGTERM, answers a gzip Basic-auth client and exits 0', async () => {
    const port = await freePort();
    const child = spawn(process.execPath, [BIN, 'emulator', '--port', String(port), '--seed', 'empty', '--no-limits'], {
      env: cleanEnv({}),
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    const base = `http://127.0.0.1:${port}/api/remap/1.2`;
    const until = Date.now() + 90_000;
    while (!stdout.includes(base)) {
      if (child.exitCode !== null) throw new Error(`emulator exited ${child.exitCode} before listening`);
      if (Date.now() > until) throw new Error('emulator did not print its base URL');
      await new Promise((r) => setTimeout(r, 100)); // a real child process: polling its output
    }
    // Past the CLI wrapper's 2 s exit grace: the emulator must still be there.
    await new Promise((r) => setTimeout(r, 3000));
    expect(child.exitCode).toBeNull();
    const res = await fetch(`${base}/entity/organization`, {
      headers: { Authorization: `Basic ${Buffer.from('admin@demo:demo').toString('base64')}`, 'Accept-Encoding': 'gzip' },
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { meta: { size: number } };
    expect(body.meta.size).toBe(0);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  }, 120_000);
});
