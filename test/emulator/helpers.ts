/**
 * Plain-HTTP helpers for the emulator conformance tests (never our own client).
 */

import { ManualClock } from '../../src/core/clock.js';
import { createEmulator, type Emulator, type EmulatorOptions } from '../../src/emulator/index.js';

export const basic = (login: string, password: string): string => `Basic ${Buffer.from(`${login}:${password}`).toString('base64')}`;

export interface Reply {
  status: number;
  headers: Headers;
  text: string;
  json: unknown;
}

export interface Caller {
  (method: string, path: string, opts?: { body?: unknown; headers?: Record<string, string>; auth?: string | null }): Promise<Reply>;
}

/** A caller for one emulator and one credential; paths are relative to the API base. */
export function caller(emu: Emulator, auth: string = basic('admin@demo', 'demo'), fetchImpl: typeof fetch = emu.fetch, base = emu.apiBaseUrl): Caller {
  return async (method, path, opts = {}) => {
    const headers: Record<string, string> = { 'Accept-Encoding': 'gzip', ...(opts.headers ?? {}) };
    const a = opts.auth === undefined ? auth : opts.auth;
    if (a !== null) headers.Authorization = a;
    let body: string | undefined;
    if (opts.body !== undefined) {
      body = JSON.stringify(opts.body);
      headers['Content-Type'] ??= 'application/json';
    }
    const res = await fetchImpl(path.startsWith('http') ? path : `${base}/${path}`, { method, headers, body });
    const text = await res.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: res.status, headers: res.headers, text, json };
  };
}

export function emptyEmulator(extra: EmulatorOptions = {}): { emu: Emulator; clock: ManualClock; call: Caller } {
  const clock = new ManualClock({ start: '2026-11-29T09:00:00Z' });
  const emu = createEmulator({ clock, accounts: [{ login: 'admin@demo', password: 'demo', seed: 'empty' }], limits: false, ...extra });
  return { emu, clock, call: caller(emu) };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type J = any;

export const errCode = (r: Reply): number | undefined => (r.json as { errors?: { code: number }[] } | undefined)?.errors?.[0]?.code;
