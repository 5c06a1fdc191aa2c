/**
 * Unit tests of client behaviour the emulator cannot provoke: a fetch that does NOT decompress gzip
 * (the emulator's fetch and undici always do), MoySklad auth codes the emulator does not emit
 * (1061, 1048), and local guards. The fetch here answers canned bytes; everything else about the
 * client is tested against the emulator in test/moysklad/.
 */
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../core/clock.js';
import { MoySkladClient, splitBatch } from './client.js';
import { MoySkladAuthError } from './errors.js';

const BASE = 'http://ms.test/api/remap/1.2';
const creds = { kind: 'password', login: 'admin@shop', password: 'pa55-w0rd' } as const;

function cannedFetch(status: number, body: unknown, gzip: boolean, calls: Array<{ url: string; headers: Headers }> = []): typeof fetch {
  return async (input, init) => {
    calls.push({ url: String(input), headers: new Headers(init?.headers) });
    const text = Buffer.from(JSON.stringify(body));
    return new Response(gzip ? gzipSync(text) : text, {
      status,
      headers: gzip ? { 'Content-Encoding': 'gzip', 'Content-Type': 'application/json;charset=utf-8' } : { 'Content-Type': 'application/json;charset=utf-8' },
    });
  };
}

const orgList = {
  context: {},
  meta: { href: `${BASE}/entity/organization`, type: 'organization', size: 1, limit: 1000, offset: 0 },
  rows: [{ meta: { href: `${BASE}/entity/organization/1`, type: 'organization' }, id: '1', name: 'ООО Ромашка' }],
};

describe('MoySkladClient (canned transport)', () => {
  it('B2 gunzips a body the fetch left compressed (magic bytes 1f 8b) and sends the mandatory headers', async () => {
    const calls: Array<{ url: string; headers: Headers }> = [];
    const client = new MoySkladClient({ baseUrl: BASE, credentials: creds, fetch: cannedFetch(200, orgList, true, calls), clock: new ManualClock() });
    const orgs = await client.checkCredentials();
    expect(orgs[0]?.name).toBe('ООО Ромашка');
    const h = calls[0]!.headers;
    expect(h.get('accept-encoding')).toContain('gzip');
    expect(h.get('accept')).toBe('application/json;charset=utf-8');
    expect(h.get('user-agent')).toContain('moysklad-exchange');
    expect(h.get('authorization')).toBe(`Basic ${Buffer.from('admin@shop:pa55-w0rd').toString('base64')}`);
  });

  it('R10 says precisely what is wrong: 1061 no API access, 1048 too many attempts', async () => {
    for (const [code, reason] of [
      [1061, 'no_api_access'],
      [1048, 'too_many_attempts'],
    ] as const) {
      const body = { errors: [{ error: `Ошибка ${code} for admin@shop:pa55-w0rd`, code }] };
      const client = new MoySkladClient({ baseUrl: BASE, credentials: creds, fetch: cannedFetch(code === 1061 ? 403 : 401, body, false), clock: new ManualClock() });
      const err = await client.checkCredentials().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(MoySkladAuthError);
      expect((err as MoySkladAuthError).reason).toBe(reason);
      // Even a server that echoes the credential cannot make it leak.
      expect(JSON.stringify(err) + (err as Error).message).not.toContain('pa55-w0rd');
    }
  });

  it('B8 refuses to send the credential to a host other than the API host', async () => {
    const calls: Array<{ url: string; headers: Headers }> = [];
    const client = new MoySkladClient({ baseUrl: BASE, credentials: creds, fetch: cannedFetch(200, {}, false, calls), clock: new ManualClock() });
    await expect(client.downloadImage('http://evil.test/api/remap/1.2/download/1')).rejects.toMatchObject({ code: 'moysklad_request_failed' });
    expect(calls).toHaveLength(0);
  });

  it('reports a response of the wrong shape as moysklad_bad_response', async () => {
    const client = new MoySkladClient({ baseUrl: BASE, credentials: creds, fetch: cannedFetch(200, { rows: 'nope' }, true), clock: new ManualClock() });
    await expect(client.organizations()).rejects.toMatchObject({ code: 'moysklad_bad_response', path: 'entity/organization' });
  });

  it('B2 splits batches by item count and by bytes of JSON', () => {
    const items = Array.from({ length: 2500 }, (_, i) => ({ name: `n${i}` }));
    expect(splitBatch(items, 1000, 9e6).map((c) => [c.start, c.items.length])).toEqual([
      [0, 1000],
      [1000, 1000],
      [2000, 500],
    ]);
    const big = Array.from({ length: 10 }, () => ({ d: 'x'.repeat(1000) }));
    const chunks = splitBatch(big, 1000, 3500);
    expect(chunks.map((c) => c.items.length)).toEqual([3, 3, 3, 1]);
    for (const c of chunks) expect(Buffer.byteLength(JSON.stringify(c.items))).toBeLessThanOrEqual(3500);
  });
});
