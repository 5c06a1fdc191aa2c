/**
 * B4 one demo shop for the service and the CLI: while `start` runs in demo mode, `sync` talks to
 * the service's own emulator (served at /demo-moysklad/…), and the service's emulator state file is
 * written as it changes, not only at shutdown.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanEnv, freePort, runCli, startCli, tempDir } from './cli-helpers.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

describe('demo MoySklad shared by the service and the CLI', { timeout: 180_000 }, () => {
  it('B4 sync in demo mode uses the running service’s emulator, whose state is saved as it changes', async () => {
    const root = tempDir();
    dirs.push(root);
    const port = await freePort();
    const env = cleanEnv({ PORT: String(port), HOST: '127.0.0.1', PUBLIC_BASE_URL: `http://127.0.0.1:${port}`, DATA_DIR: path.join(root, 'data'), LOG_DIR: path.join(root, 'logs'), ADMIN_PASSWORD: 'admin-pass-123', LOG_LEVEL: 'info' });
    const cli = startCli(['start'], env, root);
    const state = path.join(root, 'data', 'demo-moysklad.json');
    try {
      const banner = await cli.waitFor('Platform API:');
      // The start banner is one framed block apart from the log lines.
      expect(banner).toMatch(/\+-+\+\n\| moysklad-exchange is running at/);
      // The first syncs write to the emulator (webhooks registered): the state file is there while the service runs.
      await cli.waitFor('"msg":"stock.full ok');
      await expect.poll(() => fs.existsSync(state), { timeout: 20_000 }).toBe(true);
      const sync = await runCli(['sync', 'categories'], env, root);
      expect(sync.stderr).toBe('');
      expect(sync.stdout).toContain(`demo MoySklad: the running service's (http://127.0.0.1:${port})`);
      expect(sync.stdout).toMatch(/categories: ok/);
      expect(sync.code).toBe(0);
    } finally {
      const code = await cli.stop();
      expect(code, cli.output().stderr).toBe(0);
    }
  });
});
