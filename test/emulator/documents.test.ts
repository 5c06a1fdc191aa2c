import { describe, expect, it } from 'vitest';
import { emptyEmulator, errCode, type Caller, type J } from './helpers.js';
import type { Emulator } from '../../src/emulator/index.js';
import { ref } from '../../src/emulator/state/types.js';

async function setup() {
  const env = emptyEmulator();
  const { call } = env;
  const org = (await call('POST', 'entity/organization', { body: { name: 'ООО Ромашка' } })).json as J;
  const agent = (await call('POST', 'entity/counterparty', { body: { name: 'Иванов Иван', companyType: 'individual' } })).json as J;
  const p1 = (await call('POST', 'entity/product', { body: { name: 'Фильтр', code: 'MAHLE OC 90' } })).json as J;
  const p2 = (await call('POST', 'entity/product', { body: { name: 'Колодки', code: 'BOSCH 0 986' } })).json as J;
  return { ...env, org, agent, p1, p2 };
}

const pos = (p: J, quantity: number, price: number, discount = 0): J => ({ assortment: { meta: p.meta }, quantity, price, discount });

async function order(call: Caller, s: Awaited<ReturnType<typeof setup>>, positions: J[] = []): Promise<J> {
  const r = await call('POST', 'entity/customerorder', { body: { organization: { meta: s.org.meta }, agent: { meta: s.agent.meta }, positions } });
  expect(r.status).toBe(200);
  return r.json;
}

describe('emulator documents (REFERENCE §7, VERIFIED #6)', () => {
  it('R5 §7 customerorder needs organization and agent (412/3000)', async () => {
    const s = await setup();
    const r = await s.call('POST', 'entity/customerorder', { body: { organization: { meta: s.org.meta } } });
    expect([r.status, errCode(r), (r.json as J).errors[0].parameter]).toEqual([412, 3000, 'agent']);
  });

  it('R5 §7 computes sum from positions: price × quantity × (1 − discount/100), in kopecks', async () => {
    const s = await setup();
    const o = await order(s.call, s, [pos(s.p1, 2, 65000), pos(s.p2, 3, 10000, 10)]);
    expect(o.sum).toBe(2 * 65000 + 3 * 10000 * 0.9);
    expect(o.name).toBe('00001');
    expect(o.moment).toBe('2026-11-29 12:00:00.000');
    expect(o.positions.meta).toMatchObject({ size: 2, type: 'customerorderposition', href: `${s.emu.apiBaseUrl}/entity/customerorder/${o.id}/positions` });
  });

  it('R5 §7 POST …/positions with one object answers an array; GET lists positions', async () => {
    const s = await setup();
    const o = await order(s.call, s);
    const r = await s.call('POST', `entity/customerorder/${o.id}/positions`, { body: pos(s.p1, 1, 500) });
    expect(r.status).toBe(200);
    expect(Array.isArray(r.json)).toBe(true);
    expect((r.json as J[])[0].meta.type).toBe('customerorderposition');
    const many = await s.call('POST', `entity/customerorder/${o.id}/positions`, { body: [pos(s.p2, 2, 100), pos(s.p1, 1, 100)] });
    expect((many.json as J[]).length).toBe(2);
    const list = (await s.call('GET', `entity/customerorder/${o.id}/positions`)).json as J;
    expect(list.meta.size).toBe(3);
    const again = (await s.call('GET', `entity/customerorder/${o.id}`)).json as J;
    expect(again.sum).toBe(500 + 200 + 100);
  });

  it('R7 §7 PUT and DELETE one position, and POST …/positions/delete', async () => {
    const s = await setup();
    const o = await order(s.call, s, [pos(s.p1, 1, 100), pos(s.p2, 1, 200), pos(s.p1, 2, 300)]);
    const rows = ((await s.call('GET', `entity/customerorder/${o.id}/positions`)).json as J).rows as J[];
    const put = await s.call('PUT', `entity/customerorder/${o.id}/positions/${rows[0].id}`, { body: { quantity: 5 } });
    expect((put.json as J).quantity).toBe(5);
    const del = await s.call('DELETE', `entity/customerorder/${o.id}/positions/${rows[1].id}`);
    expect([del.status, del.text]).toEqual([200, '']);
    const bulk = await s.call('POST', `entity/customerorder/${o.id}/positions/delete`, { body: [{ meta: rows[2].meta }] });
    expect(bulk.status).toBe(200);
    const after = (await s.call('GET', `entity/customerorder/${o.id}`)).json as J;
    expect(after.positions.meta.size).toBe(1);
    expect(after.sum).toBe(500);
  });

  it('R7 §7 PUT with positions replaces the whole list (matching ids are updated)', async () => {
    const s = await setup();
    const o = await order(s.call, s, [pos(s.p1, 1, 100), pos(s.p2, 1, 200)]);
    const rows = ((await s.call('GET', `entity/customerorder/${o.id}/positions`)).json as J).rows as J[];
    const r = await s.call('PUT', `entity/customerorder/${o.id}?expand=positions`, { body: { positions: [{ meta: rows[0].meta, quantity: 4 }, pos(s.p2, 1, 1000)] } });
    const after = r.json as J;
    expect(after.positions.rows.map((p: J) => [p.quantity, p.price])).toEqual([
      [4, 100],
      [1, 1000],
    ]);
    expect(after.positions.rows[0].id).toBe(rows[0].id);
    expect(after.sum).toBe(1400);
  });

  it('R5 §7 metadata lists states; a state set by href is returned and filterable by state.name', async () => {
    const s = await setup();
    const md = (await s.call('GET', 'entity/customerorder/metadata')).json as J;
    const confirmed = (md.states as J[]).find((x) => x.name === 'Подтвержден');
    expect(confirmed.meta.href).toBe(`${s.emu.apiBaseUrl}/entity/customerorder/metadata/states/${confirmed.id}`);
    const o = await order(s.call, s);
    await s.call('PUT', `entity/customerorder/${o.id}`, { body: { state: { meta: confirmed.meta } } });
    const list = (await s.call('GET', `entity/customerorder?filter=${encodeURIComponent('state.name=Подтвержден')}`)).json as J;
    expect(list.meta.size).toBe(1);
  });

  it('R6 §7 purchaseorder has positions with inTransit and no reserve', async () => {
    const s = await setup();
    const r = await s.call('POST', 'entity/purchaseorder', { body: { organization: { meta: s.org.meta }, agent: { meta: s.agent.meta }, positions: [pos(s.p1, 10, 4100)] } });
    expect(r.status).toBe(200);
    const rows = ((await s.call('GET', `entity/purchaseorder/${(r.json as J).id}/positions`)).json as J).rows as J[];
    expect(rows[0].meta.type).toBe('purchaseorderposition');
    expect('reserve' in rows[0]).toBe(false);
    expect((r.json as J).sum).toBe(41000);
  });

  it('B4 §7 more than 1000 positions inside an order is 413', async () => {
    const s = await setup();
    const r = await s.call('POST', 'entity/customerorder', { body: { organization: { meta: s.org.meta }, agent: { meta: s.agent.meta }, positions: Array.from({ length: 1001 }, () => pos(s.p1, 1, 1)) } });
    expect(r.status).toBe(413);
  });

  it('C2 §7 a position names a variant as variant: the variant\'s id under type product is refused (412/1021, the product does not exist)', async () => {
    const s = await setup();
    const a = s.emu.account('admin@demo');
    const v = a.createEntity('variant', { name: 'Фильтр (2 шт.)', code: 'MAHLE OC 90-2', archived: false, product: ref('product', s.p1.id), images: [] });
    const as = (type: string, path: string): J => ({ assortment: { meta: { href: `${s.emu.apiBaseUrl}/entity/${path}/${v.id}`, type, mediaType: 'application/json' } }, quantity: 1, price: 100 });
    const body = (position: J): J => ({ organization: { meta: s.org.meta }, agent: { meta: s.agent.meta }, positions: [position] });
    const wrong = await s.call('POST', 'entity/customerorder', { body: body(as('product', 'product')) });
    expect([wrong.status, errCode(wrong), (wrong.json as J).errors[0].error]).toEqual([412, 1021, `Объект с типом 'product' и идентификатором '${v.id}' не найден`]);
    const mixed = await s.call('POST', 'entity/customerorder', { body: body(as('variant', 'product')) });
    expect([mixed.status, errCode(mixed)]).toEqual([412, 2016]);
    expect(s.emu.account('admin@demo').customerOrders).toHaveLength(0);

    const o = await order(s.call, s, [as('variant', 'variant')]);
    const added = await s.call('POST', `entity/customerorder/${o.id}/positions`, { body: [as('product', 'product')] });
    expect([added.status, errCode(added)]).toEqual([412, 1021]);
    const rows = ((await s.call('GET', `entity/customerorder/${o.id}/positions`)).json as J).rows as J[];
    expect(rows.map((r) => [r.assortment.meta.type, r.assortment.meta.href])).toEqual([['variant', `${s.emu.apiBaseUrl}/entity/variant/${v.id}`]]);
  });

  it('C6 §7 DELETE of a customer order answers 200 with an empty body; the same DELETE again is 404/1021', async () => {
    const s = await setup();
    const o = await order(s.call, s, [pos(s.p1, 1, 100)]);
    const first = await s.call('DELETE', `entity/customerorder/${o.id}`);
    expect([first.status, first.text]).toEqual([200, '']);
    const again = await s.call('DELETE', `entity/customerorder/${o.id}`);
    expect([again.status, errCode(again)]).toEqual([404, 1021]);
    expect(s.emu.account('admin@demo').customerOrders).toHaveLength(0);
  });

  it('B4 §2.5 a product used in an order cannot be deleted (409/1028)', async () => {
    const s = await setup();
    await order(s.call, s, [pos(s.p1, 1, 100)]);
    const r = await s.call('DELETE', `entity/product/${s.p1.id}`);
    expect([r.status, errCode(r)]).toEqual([409, 1028]);
  });
});

export type { Emulator };
