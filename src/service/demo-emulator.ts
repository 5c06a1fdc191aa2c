/**
 * @module demo-emulator
 * The demo shop's MoySklad: the built-in emulator, in-process, with its state kept in DATA_DIR.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Clock } from '../core/clock.js';
import { persistAfterWrites } from '../emulator/demo-sharing.js';
import { createEmulator, DEFAULT_ACCOUNT } from '../emulator/index.js';

/** The built-in emulator as the quick start uses it. */
export interface DemoMoySklad {
  fetch: typeof fetch;
  apiBaseUrl: string;
  login: string;
  password: string;
  organization: { id: string; name: string } | null;
  /** The demo shop's first warehouse, to which the demo price list is bound. */
  store: { id: string; name: string } | null;
  /** The hosts of the emulator's URLs (API and files), which the service serves under `/demo-moysklad/`. */
  hosts?: readonly string[];
  close(): Promise<void>;
}

/** The emulator's state file in demo mode, so that the demo shop keeps its ids across restarts. */
export const DEMO_EMULATOR_STATE_FILE = 'demo-moysklad.json';

/**
 * The built-in MoySklad emulator with the demo shop, in-process: the MoySklad client talks to it
 * through `emulator.fetch` (no socket) at `http://moysklad.emulator/api/remap/1.2`. Its state is
 * kept in `${dataDir}/demo-moysklad.json`.
 */
export async function startDemoEmulator(clock: Clock, dataDir: string): Promise<DemoMoySklad> {
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const emulator = createEmulator({ clock, accounts: [DEFAULT_ACCOUNT], persistPath: path.join(dataDir, DEMO_EMULATOR_STATE_FILE) });
  const account = emulator.account(DEFAULT_ACCOUNT.login);
  const org = account.organizations[0];
  const store = account.stores[0];
  return {
    // Saved after every change, so that `sync` in another process reads the current demo shop.
    fetch: persistAfterWrites(emulator),
    apiBaseUrl: emulator.apiBaseUrl,
    hosts: [new URL(emulator.apiBaseUrl).host, new URL(emulator.fileOrigin).host],
    login: DEFAULT_ACCOUNT.login,
    password: DEFAULT_ACCOUNT.password,
    organization: org ? { id: org.id, name: typeof org.f.name === 'string' ? org.f.name : '' } : null,
    store: store ? { id: store.id, name: typeof store.f.name === 'string' ? store.f.name : 'Demo store' } : null,
    close: () => emulator.close(),
  };
}
