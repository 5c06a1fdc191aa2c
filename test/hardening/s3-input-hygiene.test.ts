/**
 * S3: identifiers and names are trimmed; blank ones, control characters and lone surrogates get 400
 * and are never stored — for every string field of every request body and every string query
 * parameter of the OpenAPI document (walked), and in the cases the attack report named.
 */
import { expect, it } from 'vitest';
import { ErrorResponse } from '../../src/server/api-schemas.js';
import { forEachDialect } from '../helpers/databases.js';
import { useSurface, type Surface } from './harness.js';
import { bodyWith, fillPath, isFreeString, operationsOf, stringFieldPaths } from './openapi-walk.js';

async function call(s: Surface, method: string, url: string, body?: string): Promise<{ status: number; json: { error?: { code: string; details: unknown } } & Record<string, unknown> }> {
  const res = await s.app.request(url, { method, headers: { authorization: `Bearer ${s.token}`, 'content-type': 'application/json' }, ...(body !== undefined ? { body } : {}) });
  return { status: res.status, json: (await res.json()) as never };
}

const issuePaths = (json: unknown): string[] => {
  const details = ErrorResponse.parse(json).error.details;
  return Array.isArray(details) ? details.map((d) => String((d as { path: string }).path)) : [];
};

forEachDialect((getDb) => {
  const opened = useSurface(getDb);

  it('S3 every string field of every request body refuses a control character and a lone surrogate (400 naming the field)', async () => {
    const { s, doc } = opened();
    const missed: string[] = [];
    let checked = 0;
    for (const op of operationsOf(doc)) {
      if (!op.body) continue;
      const url = fillPath(op.path, () => '1');
      for (const path of stringFieldPaths(doc, op.body)) {
        for (const bad of ['a\u0000b', 'x\ud800y', 'tab\u001bkey']) {
          checked++;
          const r = await call(s, op.method, url, JSON.stringify(bodyWith(path, bad)));
          // 404 is fine only when the resource is looked up first (id 1 does not exist): then nothing was stored.
          if (r.status === 404) continue;
          if (r.status !== 400 || !issuePaths(r.json).includes(path.join('.'))) missed.push(`${op.method} ${op.path} ${path.join('.')} ${JSON.stringify(bad)} → ${r.status}`);
        }
      }
    }
    expect(missed).toEqual([]);
    expect(checked).toBeGreaterThan(60);
  });

  it('S3 every string query parameter refuses a control character (?q=%00 no longer matches everything)', async () => {
    const { s, doc } = opened();
    const missed: string[] = [];
    for (const op of operationsOf(doc)) {
      if (op.method !== 'GET') continue;
      for (const q of op.query.filter((p) => isFreeString(doc, p.schema))) {
        const r = await call(s, 'GET', `${fillPath(op.path, () => '1')}?${q.name}=a%00b`);
        if (r.status === 404) continue;
        if (r.status !== 400 || !issuePaths(r.json).includes(q.name)) missed.push(`${op.path}?${q.name} → ${r.status}`);
      }
    }
    expect(missed).toEqual([]);
    const all = await call(s, 'GET', '/api/v1/clients?q=%00');
    expect(all.status).toBe(400);
  });

  it('S3 a blank externalId or name is 400; surrounding spaces are trimmed; nothing unclean is stored', async () => {
    const { s } = opened();
    const before = (await call(s, 'GET', '/api/v1/clients?limit=1000')).json.total as number;
    for (const body of [
      { externalId: ' ', name: 'Ок' },
      { externalId: 'c-1', name: '   ' },
      { externalId: 'a\u0000b', name: 'Ок' },
      { externalId: 'c-2', name: 'Иван\u0000' },
    ]) {
      const r = await call(s, 'POST', '/api/v1/clients', JSON.stringify(body));
      expect(r.status, JSON.stringify(body)).toBe(400);
    }
    // A lone surrogate written as a JSON escape (what a broken client sends).
    const lone = await call(s, 'POST', '/api/v1/clients', '{"externalId":"c-3","name":"\\ud800 Иван"}');
    expect(lone.status).toBe(400);
    expect(issuePaths(lone.json)).toEqual(['name']);
    expect((await call(s, 'GET', '/api/v1/clients?limit=1000')).json.total).toBe(before);

    const ok = await call(s, 'POST', '/api/v1/clients', JSON.stringify({ externalId: '  s3-client  ', name: '  ООО «Ромашка»  ', phone: ' +7 912 345-67-89 ' }));
    expect(ok.status).toBe(201);
    expect(ok.json).toMatchObject({ externalId: 's3-client', name: 'ООО «Ромашка»' });
  });

  it('S3 the newer fields (time zone, phone, webhook URL, feed-free comments) follow the same rules', async () => {
    const { s } = opened();
    const region = await call(s, 'POST', '/api/v1/regions', JSON.stringify({ name: 'Регион S3', code: 's3-region', timeZone: 'Europe/Moscow\u0000' }));
    expect(region.status).toBe(400);
    expect(issuePaths(region.json)).toEqual(['timeZone']);
    const phone = await call(s, 'POST', '/api/v1/clients', JSON.stringify({ externalId: 's3-phone', name: 'Тел', phone: '+7 912\u0000345-67-89' }));
    expect(issuePaths(phone.json)).toEqual(['phone']);
    const hook = await call(s, 'POST', '/api/v1/webhook-subscriptions', JSON.stringify({ url: 'https://shop.test/\u0000hook', events: ['order.exported'] }));
    expect(issuePaths(hook.json)).toEqual(['url']);
    const comment = await call(s, 'POST', '/api/v1/orders', JSON.stringify({ kind: 'customer', externalId: 's3-o', regionId: 1, counterpartyId: 1, comment: 'две строки\nвторая\u0000', positions: [{ brand: 'B', article: 'A', quantity: 1, priceKopecks: 1 }] }));
    expect(issuePaths(comment.json)).toContain('comment');
  });
});
