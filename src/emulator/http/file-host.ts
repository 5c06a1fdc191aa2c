/**
 * @module file-host
 * The "external storage" behind `/download/{id}` (VERIFIED #15): short-lived signed URLs under
 * `/files/…` on a different origin than the API. Like S3 presigned URLs, a request that carries
 * an Authorization header is refused (400), and an expired link answers 403.
 *
 * Also the static image hosts of REFERENCE §4.4: an image's `miniature.downloadHref`
 * (`/miniature/{accountId}/documentminiature/{fileId}`, like `miniature-prod.moysklad.ru`) and
 * `tiny.href` (`/static/tinyimage/{accountId}/tinyimage/{fileId}/t.png`). They are stable, need no
 * Authorization and refuse it like the signed links. None of these is an API request: no rate
 * limit, no latency model, not counted in the emulator's request stats. The emulator renders no
 * images: a miniature and a tiny image are the file's own bytes.
 */

import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Context } from 'hono';
import type { Clock } from '../../core/clock.js';
import type { EmulatorAccount } from '../state/account.js';

export class FileHost {
  readonly #secret = randomBytes(32);
  readonly #clock: Clock;
  readonly #origin: () => string;

  constructor(clock: Clock, origin: () => string) {
    this.#clock = clock;
    this.#origin = origin;
  }

  get origin(): string {
    return this.#origin();
  }

  /** `miniature.downloadHref` of a file: a stable URL on the file host. */
  miniatureUrl(accountId: string, fileId: string): string {
    return `${this.#origin()}/miniature/${accountId}/documentminiature/${fileId}`;
  }

  /** `tiny.href` of a file: a static URL on the file host. */
  tinyUrl(accountId: string, fileId: string): string {
    return `${this.#origin()}/static/tinyimage/${accountId}/tinyimage/${fileId}/t.png`;
  }

  sign(login: string, fileId: string, ttlMs: number): string {
    const exp = this.#clock.nowMs() + ttlMs;
    const payload = Buffer.from(JSON.stringify({ l: login, f: fileId, e: exp })).toString('base64url');
    const sig = createHmac('sha256', this.#secret).update(payload).digest('base64url');
    return `${this.#origin()}/files/${payload}.${sig}`;
  }

  serve(c: Context, accounts: Map<string, EmulatorAccount>): Response {
    if (c.req.header('authorization') !== undefined) return authRefused();
    const token = c.req.param('token') ?? '';
    const [payload = '', sig = ''] = token.split('.');
    const expected = createHmac('sha256', this.#secret).update(payload).digest();
    let given: Buffer;
    try {
      given = Buffer.from(sig, 'base64url');
    } catch {
      return xml(403, 'SignatureDoesNotMatch', 'Bad signature');
    }
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return xml(403, 'SignatureDoesNotMatch', 'Bad signature');
    const data = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { l: string; f: string; e: number };
    if (this.#clock.nowMs() > data.e) return xml(403, 'AccessDenied', 'Request has expired');
    const file = accounts.get(data.l)?.files.get(data.f);
    if (!file) return noSuchKey();
    return new Response(file.bytes, {
      status: 200,
      headers: {
        'Content-Type': file.mediaType,
        'Content-Length': String(file.bytes.length),
        'Content-Disposition': `attachment; filename="${encodeURIComponent(file.filename)}"`,
      },
    });
  }

  /** A miniature or tiny image by account id and file id (the file's own bytes, see the module note). */
  serveStatic(c: Context, accounts: Map<string, EmulatorAccount>): Response {
    if (c.req.header('authorization') !== undefined) return authRefused();
    const accountId = c.req.param('accountId');
    const fileId = c.req.param('fileId') ?? '';
    const account = [...accounts.values()].find((a) => a.accountId === accountId);
    const file = account?.files.get(fileId);
    if (!file) return noSuchKey();
    return new Response(file.bytes, {
      status: 200,
      headers: { 'Content-Type': file.mediaType, 'Content-Length': String(file.bytes.length), 'Cache-Control': 'public, max-age=86400' },
    });
  }
}

function xml(status: number, code: string, message: string): Response {
  return new Response(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`, {
    status,
    headers: { 'Content-Type': 'application/xml' },
  });
}

function authRefused(): Response {
  return xml(400, 'InvalidArgument', 'Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified');
}

function noSuchKey(): Response {
  return xml(404, 'NoSuchKey', 'The specified key does not exist.');
}
