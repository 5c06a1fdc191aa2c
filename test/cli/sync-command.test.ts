import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanEnv, runCli, tempDir } from './cli-helpers.js';

const root = tempDir();
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
const env = cleanEnv({ DATA_DIR: path.join(root, 'data'), LOG_DIR: path.join(root, 'logs') });

describe('moysklad-exchange sync <kind>', { timeout: 180_000 }, () => {
  it('R2 runs one sync in the foreground on a fresh demo setup and reports its counts', async () => {
    const r = await runCli(['sync', 'categories'], env, root);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^categories: ok {2}created=\d+/m);
    // The run is in the sync history and the integration log (R32).
    const log = fs.readFileSync(path.join(root, 'logs', 'moysklad_logger.log'), 'utf8');
    expect(log).toContain('categories ok');
  });

  it('R13 a price-list sync needs --price-list, and an unknown kind lists the known ones; one line each', async () => {
    const a = await runCli(['sync', 'stock.full'], env, root);
    expect(a.code).toBe(1);
    expect(a.stderr.trim()).toBe('moysklad-exchange: sync stock.full needs --price-list <id>');
    const b = await runCli(['sync', 'no-such-kind'], env, root);
    expect(b.code).toBe(1);
    expect(b.stderr.trim().split('\n')).toHaveLength(1);
    expect(b.stderr).toMatch(/sync kind no-such-kind \(known: .*nomenclature\.full.*stock\.full.*\) not found/);
  });
});
