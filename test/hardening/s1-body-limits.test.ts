/**
 * S1: request bodies are capped while streaming on every route; past the cap the answer is 413 in
 * the one error shape and the server stops reading (closes the connection) instead of buffering the
 * rest; the webhook intake answers an unknown key 404 before it reads the body.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DEFAULT_MAX_BODY_BYTES } from '../../src/server/body-limit.js';
import { ErrorResponse } from '../../src/server/api-schemas.js';
import { MAX_HOOK_BODY_BYTES } from '../../src/server/routes/hooks.routes.js';
import { forEachDialect } from '../helpers/databases.js';
import { postChunked, serve, surfaceFor, type Served, type Surface } from './harness.js';

const MiB = 1024 * 1024;

forEachDialect((getDb) => {
  let s: Surface;
  let srv: Served;
  beforeAll(async () => {
    s = await surfaceFor(getDb());
    srv = await serve(s.app);
  });
  afterAll(async () => {
    await srv.close();
  });

  it('S1 a chunked body past the API cap gets 413 in the one error shape; the server reads little more than the cap and closes the connection', async () => {
    const rssBefore = process.memoryUsage().rss;
    const total = 256 * MiB;
    const r = await postChunked(`${srv.url}/api/v1/regions`, { authorization: `Bearer ${s.token}`, 'content-type': 'application/json' }, total);
    expect(r.status).toBe(413);
    const parsed = ErrorResponse.parse(JSON.parse(r.body));
    expect(parsed.error).toEqual({ code: 'payload_too_large', message: `Request body is larger than ${DEFAULT_MAX_BODY_BYTES} bytes`, details: { maxBytes: DEFAULT_MAX_BODY_BYTES } });
    // The client was stopped long before its 256 MiB: the server did not read (buffer) them.
    expect(r.sentWhenAnswered).toBeLessThan(32 * MiB);
    const read = Math.max(...srv.bytesRead());
    expect(read).toBeLessThan(DEFAULT_MAX_BODY_BYTES + 16 * MiB);
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(96 * MiB);
  });

  it('S1 the webhook intake answers an unknown key 404 (one error shape) before it reads the body', async () => {
    // A 64 MiB body to a wrong key: the answer comes while the client is still sending.
    const r = await postChunked(`${srv.url}/hooks/moysklad/${'x'.repeat(32)}?requestId=abcdef12-3456`, { 'content-type': 'application/json' }, 64 * MiB);
    expect(r.status).toBe(404);
    expect(ErrorResponse.parse(JSON.parse(r.body)).error).toEqual({ code: 'not_found', message: 'unknown webhook key', details: null });
    expect(r.sentWhenAnswered).toBeLessThan(64 * MiB);
  });

  it('S1 the webhook intake with a valid key refuses a chunked body past its 4 MiB cap with 413', async () => {
    const r = await postChunked(`${srv.url}/hooks/moysklad/${s.hookKey}?requestId=abcdef12-3457`, { 'content-type': 'application/json' }, 128 * MiB);
    expect(r.status).toBe(413);
    expect(ErrorResponse.parse(JSON.parse(r.body)).error).toMatchObject({ code: 'payload_too_large', details: { maxBytes: MAX_HOOK_BODY_BYTES } });
    expect(r.sentWhenAnswered).toBeLessThan(48 * MiB);
  });

  it('S1 a declared Content-Length past the cap is refused before any read, on API, admin and public routes', async () => {
    for (const path of ['/api/v1/orders', '/admin/login', '/feeds/x/price-list.csv', '/nowhere']) {
      const res = await s.app.request(path, { method: 'POST', headers: { 'content-length': String(DEFAULT_MAX_BODY_BYTES + 1), authorization: `Bearer ${s.token}` }, body: 'x' });
      expect(res.status, path).toBe(413);
      expect(ErrorResponse.parse(await res.json()).error.code).toBe('payload_too_large');
    }
  });

  it('S1 a body within the cap is served as before', async () => {
    const res = await fetch(`${srv.url}/api/v1/regions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${s.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: `Регион ${'я'.repeat(150)}`, code: `s1-${Date.now()}` }),
    });
    expect(res.status).toBe(201);
  });
});
