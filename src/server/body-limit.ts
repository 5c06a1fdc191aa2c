/**
 * @module body-limit
 * S1: request bodies are capped WHILE STREAMING, on every route. The middleware reads nothing
 * itself: a declared `Content-Length` over the cap is refused at once, and otherwise the body is
 * replaced by a counting stream that fails as soon as the cap is passed, so a handler that never
 * reads the body (the webhook intake with an unknown key) costs nothing, and one that reads gets at
 * most `cap` bytes into memory. Past the cap the answer is 413 `payload_too_large` in the one error
 * shape, with `Connection: close`: the server stops reading and closes the connection instead of
 * draining the rest.
 */
import type { MiddlewareHandler } from 'hono';
import { AppError } from '../core/errors.js';
import { errorBody } from './error-handler.js';

/** Default cap of every route's body: 1 MiB (an order of 1,000 positions is about 300 KiB). */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

/** One route prefix with its own cap (the longest matching prefix wins). */
export interface BodyCap {
  pathPrefix: string;
  maxBytes: number;
}

/** The 413 of a body past its cap. */
export class PayloadTooLargeError extends AppError {
  constructor(maxBytes: number) {
    super('payload_too_large', `Request body is larger than ${maxBytes} bytes`, { status: 413, details: { maxBytes } });
    this.name = 'PayloadTooLargeError';
  }
}

/** The 413 response (the one error shape, `Connection: close`). */
export function payloadTooLarge(maxBytes: number): Response {
  const err = new PayloadTooLargeError(maxBytes);
  return new Response(JSON.stringify(errorBody(err.code, err.message, err.details)), {
    status: 413,
    headers: { 'content-type': 'application/json', connection: 'close' },
  });
}

/** The cap of a path: the longest matching prefix's, else the default. */
export function capFor(path: string, caps: readonly BodyCap[], defaultBytes: number): number {
  let best: BodyCap | undefined;
  for (const c of caps) if (path.startsWith(c.pathPrefix) && (!best || c.pathPrefix.length > best.pathPrefix.length)) best = c;
  return best?.maxBytes ?? defaultBytes;
}

/** A stream that passes at most `maxBytes` of `body` through and then fails; `onExceeded` is told. */
export function cappedStream(body: ReadableStream<Uint8Array>, maxBytes: number, onExceeded: () => void): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  let size = 0;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { done, value } = await reader.read();
      if (done) {
        controller.close();
        return;
      }
      size += value.byteLength;
      if (size > maxBytes) {
        onExceeded();
        controller.error(new PayloadTooLargeError(maxBytes));
        // Stop pulling from the socket; the 413 closes the connection.
        reader.cancel().catch(() => undefined);
        return;
      }
      controller.enqueue(value);
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
}

/** The middleware: `app.use('*', streamingBodyLimit({ caps, defaultBytes }))` before any route. */
export function streamingBodyLimit(options: { caps?: readonly BodyCap[]; defaultBytes?: number } = {}): MiddlewareHandler {
  const caps = options.caps ?? [];
  const defaultBytes = options.defaultBytes ?? DEFAULT_MAX_BODY_BYTES;
  return async (c, next) => {
    const raw = c.req.raw;
    if (!raw.body) return next();
    const maxBytes = capFor(new URL(raw.url).pathname, caps, defaultBytes);
    const declared = raw.headers.get('content-length');
    if (declared !== null && !raw.headers.has('transfer-encoding') && Number(declared) > maxBytes) return payloadTooLarge(maxBytes);
    let exceeded = false;
    c.req.raw = new Request(raw, {
      body: cappedStream(raw.body, maxBytes, () => {
        exceeded = true;
      }),
      duplex: 'half',
    } as RequestInit);
    await next();
    // Whatever the handler made of the failed read (invalid JSON, a form error), the answer is 413.
    if (exceeded) c.res = payloadTooLarge(maxBytes);
  };
}
