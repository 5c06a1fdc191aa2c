/**
 * S2: one error shape everywhere — every operation of the OpenAPI document, attacked with bad
 * input (no token, bad path ids, bad query values, broken and wrong JSON bodies), answers 4xx with
 * a body valid against the one schema (`ErrorResponse`, `details` always present); so do the
 * webhook intake, the media routes, unknown paths and the body cap.
 */
import { expect, it } from 'vitest';
import { ErrorResponse } from '../../src/server/api-schemas.js';
import { forEachDialect } from '../helpers/databases.js';
import { useSurface, type Surface } from './harness.js';
import { fillPath, operationsOf, resolve, type Json, type OpenApiDoc, type WalkOperation } from './openapi-walk.js';

interface Attack {
  op: string;
  what: string;
  status: number;
  body: unknown;
}

async function send(s: Surface, method: string, url: string, init: { token?: boolean; body?: string } = {}): Promise<{ status: number; body: unknown; type: string }> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (init.token ?? true) headers.authorization = `Bearer ${s.token}`;
  const res = await s.app.request(url, { method, headers, ...(init.body !== undefined ? { body: init.body } : {}) });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    /* left as text: fails the schema */
  }
  return { status: res.status, body, type: res.headers.get('content-type') ?? '' };
}

/** A query value its schema refuses. */
function badQueryValue(doc: OpenApiDoc, schema: Json): string {
  const s = resolve(doc, schema);
  if (s.type === 'integer' || s.type === 'number') return '-1.5x';
  if (Array.isArray(s.enum)) return 'no-such-value';
  return 'a\u0000b';
}

async function attacks(s: Surface, doc: OpenApiDoc, op: WalkOperation): Promise<Attack[]> {
  const out: Attack[] = [];
  const url = fillPath(op.path, () => '1');
  const push = async (what: string, method: string, u: string, init: { token?: boolean; body?: string } = {}): Promise<void> => {
    const r = await send(s, method, u, init);
    out.push({ op: `${op.method} ${op.path}`, what, status: r.status, body: r.body });
  };
  if (!op.public) await push('no token', op.method, url, { token: false, ...(op.body ? { body: '{}' } : {}) });
  for (const p of op.pathParams) await push(`bad path ${p}`, op.method, fillPath(op.path, (n) => (n === p ? 'not-an-id' : '1')), op.body ? { body: '{}' } : {});
  for (const q of op.query) await push(`bad query ${q.name}`, op.method, `${url}?${q.name}=${encodeURIComponent(badQueryValue(doc, q.schema))}`, op.body ? { body: '{}' } : {});
  if (op.body) {
    await push('broken JSON', op.method, url, { body: '{"a":' });
    await push('array body', op.method, url, { body: '[]' });
    await push('unknown field', op.method, url, { body: '{"__unknown":1}' });
    await push('empty body', op.method, url, { body: '' });
  }
  return out;
}

forEachDialect((getDb) => {
  const opened = useSurface(getDb);

  it('S2 every operation of the OpenAPI document answers bad input with 4xx in the one error shape (details always present)', async () => {
    const { s, doc } = opened();
    const ops = operationsOf(doc);
    expect(ops.length).toBeGreaterThanOrEqual(40);
    const all: Attack[] = [];
    for (const op of ops) all.push(...(await attacks(s, doc, op)));
    const bad = all.filter((a) => a.status < 400 || a.status >= 500 || !ErrorResponse.safeParse(a.body).success);
    expect(bad).toEqual([]);
    // Every operation was attacked at least once.
    const attacked = new Set(all.map((a) => a.op));
    expect(ops.filter((o) => !attacked.has(`${o.method} ${o.path}`)).map((o) => o.operationId)).toEqual([]);
    expect(all.length).toBeGreaterThan(150);
    expect(s.logged).toEqual([]);
  });

  it('S2 the webhook intake, the media routes, unknown paths and the body cap answer in the same shape', async () => {
    const { s } = opened();
    const cases: [string, string, string | undefined, number][] = [
      ['POST', `/hooks/moysklad/${'x'.repeat(32)}?requestId=abcdef12-3456`, '{}', 404],
      ['POST', `/hooks/moysklad/${s.hookKey}`, '{}', 400],
      ['POST', `/hooks/moysklad/${s.hookKey}?requestId=abcdef12-3456`, 'not json', 400],
      ['POST', `/hooks/moysklad/${s.hookKey}?requestId=abcdef12-3456`, '{"events":"no"}', 400],
      ['GET', '/media/not-a-hash', undefined, 404],
      ['GET', `/media/${'a'.repeat(64)}`, undefined, 404],
      ['GET', `/media/${'a'.repeat(64)}/thumb`, undefined, 404],
      ['GET', '/no/such/path', undefined, 404],
      ['GET', '/api/v1/no-such-thing', undefined, 404],
    ];
    for (const [method, url, body, status] of cases) {
      const r = await send(s, method, url, body === undefined ? {} : { body });
      expect({ url, status: r.status }).toEqual({ url, status });
      expect(ErrorResponse.safeParse(r.body).success, `${url}: ${JSON.stringify(r.body)}`).toBe(true);
      expect(r.type).toMatch(/application\/json/);
    }
    const big = await s.app.request('/api/v1/regions', { method: 'POST', headers: { authorization: `Bearer ${s.token}`, 'content-length': String(2 * 1024 * 1024) }, body: 'x' });
    expect(big.status, await big.clone().text()).toBe(413);
    expect(ErrorResponse.parse(await big.json()).error.details).toEqual({ maxBytes: 1024 * 1024 });
  });

  it('S2 the OpenAPI document declares the one error schema with details required', () => {
    const { doc } = opened();
    const error = doc.components.schemas.Error as { properties: { error: { required: string[] } } };
    expect(error.properties.error.required).toEqual(['code', 'message', 'details']);
  });
});
