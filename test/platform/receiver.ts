/**
 * @module receiver (test helper)
 * A platform's webhook receiver on a loopback port (a real HTTP server): every request is checked
 * with the `standardwebhooks` package exactly as a platform would (`new Webhook(secret).verify`),
 * with the receiver's "now" set to the test's ManualClock so that the 5-minute timestamp tolerance
 * applies to the virtual time. It answers with the statuses it is told (e.g. 500 for the first
 * attempts), or holds requests without answering (`hang`) until `release()`.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { vi } from 'vitest';
import { Webhook } from 'standardwebhooks';
import type { Clock } from '../../src/core/clock.js';

export interface ReceivedWebhook {
  id: string;
  timestamp: number;
  signature: string;
  body: string;
  /** What `standardwebhooks` said: the parsed body when the signature verified, else the error. */
  verified: boolean;
  verifyError: string | null;
  answered: number | null;
}

export interface Receiver {
  url: string;
  received: ReceivedWebhook[];
  /** Statuses to answer, in order; when used up, `fallback` (default 200). */
  answers: number[];
  fallback: number;
  /** Hold every request without answering until `release()`. */
  hang: boolean;
  secret: string;
  release(): void;
  close(): Promise<void>;
}

/** Verifies with the receiver's clock at `nowMs` (the library reads Date.now() for its tolerance). */
export function verifyAt(secret: string, nowMs: number, body: string, headers: Record<string, string>): { ok: boolean; error: string | null } {
  vi.useFakeTimers({ toFake: ['Date'], now: nowMs });
  try {
    new Webhook(secret).verify(body, headers);
    return { ok: true, error: null };
  } catch (e) {
    return { ok: false, error: e instanceof Error ? e.message : String(e) };
  } finally {
    vi.useRealTimers();
  }
}

export async function startReceiver(clock: Clock, options: { answers?: number[]; fallback?: number; hang?: boolean } = {}): Promise<Receiver> {
  const held: http.ServerResponse[] = [];
  const state = {
    received: [] as ReceivedWebhook[],
    answers: [...(options.answers ?? [])],
    fallback: options.fallback ?? 200,
    hang: options.hang ?? false,
    secret: '',
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const headers = {
        'webhook-id': String(req.headers['webhook-id'] ?? ''),
        'webhook-timestamp': String(req.headers['webhook-timestamp'] ?? ''),
        'webhook-signature': String(req.headers['webhook-signature'] ?? ''),
      };
      const check = verifyAt(state.secret, clock.nowMs(), body, headers);
      const entry: ReceivedWebhook = {
        id: headers['webhook-id'],
        timestamp: Number(headers['webhook-timestamp']),
        signature: headers['webhook-signature'],
        body,
        verified: check.ok,
        verifyError: check.error,
        answered: null,
      };
      state.received.push(entry);
      if (state.hang) {
        held.push(res);
        return;
      }
      const status = state.answers.shift() ?? state.fallback;
      entry.answered = status;
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? 'ok' : 'not now');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const receiver: Receiver = {
    url: `http://127.0.0.1:${port}/hooks/msx`,
    get received() {
      return state.received;
    },
    get answers() {
      return state.answers;
    },
    set answers(v: number[]) {
      state.answers = v;
    },
    get fallback() {
      return state.fallback;
    },
    set fallback(v: number) {
      state.fallback = v;
    },
    get hang() {
      return state.hang;
    },
    set hang(v: boolean) {
      state.hang = v;
    },
    get secret() {
      return state.secret;
    },
    set secret(v: string) {
      state.secret = v;
    },
    release() {
      state.hang = false;
      for (const res of held.splice(0)) if (!res.writableEnded && !res.destroyed) res.writeHead(200).end('late');
    },
    async close() {
      receiver.release();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return receiver;
}

/** Waits (event-loop turns and 1 ms real pauses for sockets, never the virtual clock) until `cond` holds. */
export async function eventually(cond: () => boolean | Promise<boolean>, what: string, maxMs = 20_000): Promise<void> {
  const started = Date.now();
  for (;;) {
    if (await cond()) return;
    if (Date.now() - started > maxMs) throw new Error(`timed out waiting for: ${what}`);
    await new Promise<void>((r) => setTimeout(r, 2));
  }
}
