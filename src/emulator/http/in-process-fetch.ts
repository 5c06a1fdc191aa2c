/**
 * @module in-process-fetch
 * `fetch` semantics over the emulator's Hono app without a socket: like undici it asks for gzip,
 * follows redirects (dropping credentials across origins), decompresses gzip bodies while keeping
 * the headers, honours abort signals and turns the injected `drop` / `timeout` faults into the
 * errors a real connection would give.
 */

import { gunzipSync } from 'node:zlib';
import type { Hono } from 'hono';

/** A `fetch` that calls `app` in-process: redirects, gzip, aborts and dropped / timed-out connections as undici has them. */
export function inProcessFetch(app: Hono): typeof fetch {
  return (input, init) => fetchVia(app, input, init);
}

async function fetchVia(app: Hono, input: string | URL | Request, init?: RequestInit): Promise<Response> {
  let req = new Request(input, init);
  if (!req.headers.has('accept-encoding')) {
    // like undici: fetch asks for compressed bodies unless the caller sets Accept-Encoding itself
    const headers = new Headers(req.headers);
    headers.set('accept-encoding', 'gzip, deflate');
    req = new Request(req, { headers });
  }
  for (let hop = 0; hop < 20; hop++) {
    if (req.signal.aborted) throw abortError(req.signal);
    const resPromise = Promise.resolve(app.request(req));
    const res = await raceAbort(resPromise, req.signal);
    const fault = res.headers.get('x-emulator-fault');
    if (fault === 'drop') throw new TypeError('fetch failed', { cause: Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }) });
    if (fault === 'timeout') throw abortError(req.signal);
    if (res.status >= 300 && res.status < 400 && res.headers.has('location') && req.redirect !== 'manual') {
      if (req.redirect === 'error') throw new TypeError('fetch failed', { cause: new Error('unexpected redirect') });
      const next = new URL(res.headers.get('location') ?? '', req.url);
      const headers = new Headers(req.headers);
      if (next.origin !== new URL(req.url).origin) {
        headers.delete('authorization');
        headers.delete('cookie');
      }
      const method = res.status === 303 || ((res.status === 301 || res.status === 302) && req.method === 'POST') ? 'GET' : req.method;
      const body = method === req.method && method !== 'GET' && method !== 'HEAD' ? await req.clone().arrayBuffer() : undefined;
      req = new Request(next, { method, headers, body, redirect: req.redirect, signal: req.signal });
      continue;
    }
    return decode(res, req.url, hop > 0);
  }
  throw new TypeError('fetch failed', { cause: new Error('redirect count exceeded') });
}

function abortError(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('This operation was aborted', 'AbortError');
}

function raceAbort<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (!signal) return p;
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(abortError(signal));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

/** Like undici: a gzip body arrives decompressed while the headers stay as sent. */
async function decode(res: Response, url: string, redirected: boolean): Promise<Response> {
  let out: Response;
  if ((res.headers.get('content-encoding') ?? '').toLowerCase() === 'gzip' && res.body) {
    const buf = new Uint8Array(await res.arrayBuffer());
    const body = buf.length ? gunzipSync(buf) : new Uint8Array(0);
    out = new Response(body, { status: res.status, statusText: res.statusText, headers: res.headers });
  } else {
    out = new Response(res.body, { status: res.status, statusText: res.statusText, headers: res.headers });
  }
  Object.defineProperty(out, 'url', { value: url });
  Object.defineProperty(out, 'redirected', { value: redirected });
  return out;
}
