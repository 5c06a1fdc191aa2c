/**
 * Starts bench/lib/emulator-host.ts in a child process and talks to it over IPC. The MoySklad
 * traffic itself goes over real loopback HTTP to `apiBaseUrl`.
 */
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EmulatorStats } from '../../src/emulator/index.js';
import type { HostInit } from './emulator-host.js';

const self = fileURLToPath(import.meta.url);
const here = path.dirname(self);
/** Compiled (bench/.build, run by plain node): fork the compiled host; from TypeScript: the .ts host under tsx. */
const compiled = self.endsWith('.js');

export class RemoteEmulator {
  readonly #child: ChildProcess;
  #next = 1;
  readonly #pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  apiBaseUrl = '';

  private constructor(child: ChildProcess) {
    this.#child = child;
    child.on('message', (m: { id: number; ok: boolean; value?: unknown; error?: string }) => {
      const p = this.#pending.get(m.id);
      if (!p) return;
      this.#pending.delete(m.id);
      if (m.ok) p.resolve(m.value);
      else p.reject(new Error(`emulator host: ${m.error ?? 'failed'}`));
    });
    child.on('exit', (code) => {
      for (const p of this.#pending.values()) p.reject(new Error(`emulator host exited (${code})`));
      this.#pending.clear();
    });
  }

  static async start(init: HostInit): Promise<RemoteEmulator> {
    const child = fork(path.join(here, compiled ? 'emulator-host.js' : 'emulator-host.ts'), [], {
      execArgv: compiled ? [] : ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const r = new RemoteEmulator(child);
    const { apiBaseUrl } = await r.call<{ apiBaseUrl: string }>('init', init);
    r.apiBaseUrl = apiBaseUrl;
    return r;
  }

  call<T>(op: string, args: unknown = {}): Promise<T> {
    const id = this.#next++;
    return new Promise<T>((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.#child.send({ id, op, args });
    });
  }

  stats(): Promise<EmulatorStats> {
    return this.call<EmulatorStats>('stats');
  }

  resetStats(): Promise<void> {
    return this.call('resetStats');
  }

  async close(): Promise<void> {
    if (this.#child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => this.#child.once('exit', () => resolve()));
    await this.call('close').catch(() => undefined);
    await Promise.race([exited, new Promise<void>((r) => setTimeout(r, 5000).unref())]);
    if (this.#child.exitCode === null) this.#child.kill('SIGKILL');
  }
}
