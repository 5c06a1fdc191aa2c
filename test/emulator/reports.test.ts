import { describe, expect, it } from 'vitest';
import { emptyEmulator, errCode, type J } from './helpers.js';

function stockSetup() {
  const env = emptyEmulator();
  const a = env.emu.account('admin@demo');
  const s1 = a.createEntity('store', { name: 'Основной склад', archived: false });
  const s2 = a.createEntity('store', { name: 'Склад Юг', archived: false });
  const p1 = a.createProduct({ name: 'Фильтр', code: 'MAHLE OC 90', article: 'OC 90', salePrice: 65000, buyPrice: 41000 });
  const p2 = a.createProduct({ name: 'Колодки', code: 'BOSCH 1', article: '1' });
  const p3 = a.createProduct({ name: 'Пусто', code: 'EMPTY 1', article: '1' });
  a.setStock(p1.id, s1.id, { stock: 10, reserve: 2, inTransit: 1 });
  a.setStock(p1.id, s2.id, { stock: 5 });
  a.setStock(p2.id, s2.id, { stock: 3, reserve: 3 });
  return { ...env, a, s1, s2, p1, p2, p3 };
}

describe('emulator stock reports (REFERENCE §5, VERIFIED #13)', () => {
  it('R4 §5 report/stock/all sums stores; quantity = stock − reserve + inTransit; quantityMode nonEmpty by default', async () => {
    const { call } = stockSetup();
    const r = (await call('GET', 'report/stock/all')).json as J;
    expect(r.meta.type).toBe('stock');
    const byCode = Object.fromEntries((r.rows as J[]).map((x) => [x.code, x]));
    expect(byCode['MAHLE OC 90']).toMatchObject({ stock: 15, reserve: 2, inTransit: 1, quantity: 14, price: 41000, salePrice: 65000, article: 'OC 90' });
    expect(byCode['BOSCH 1']).toBeUndefined(); // quantity 0
    expect(byCode['EMPTY 1']).toBeUndefined();
    const all = (await call('GET', 'report/stock/all?filter=quantityMode=all')).json as J;
    expect(all.meta.size).toBe(3);
  });

  it('R4 §5 report/stock/all filters by store href', async () => {
    const { call, emu, s2 } = stockSetup();
    const r = (await call('GET', `report/stock/all?filter=store=${emu.apiBaseUrl}/entity/store/${s2.id};quantityMode=all`)).json as J;
    const byCode = Object.fromEntries((r.rows as J[]).map((x) => [x.code, x.stock]));
    expect(byCode).toEqual({ 'MAHLE OC 90': 5, 'BOSCH 1': 3, 'EMPTY 1': 0 });
  });

  it('R4 §5 report/stock/bystore has one stockByStore entry per store; stockMode nonEmpty by default', async () => {
    const { call } = stockSetup();
    const r = (await call('GET', 'report/stock/bystore')).json as J;
    expect(r.meta.type).toBe('stockbystore');
    expect(r.meta.size).toBe(2);
    expect(r.rows[0].stockByStore.map((x: J) => [x.name, x.stock, x.reserve, x.inTransit])).toEqual([
      ['Основной склад', 10, 2, 1],
      ['Склад Юг', 5, 0, 0],
    ]);
  });

  it('R4 §5 /current answers a bare array keyed by stockType; zero lines only with include=zeroLines', async () => {
    const { call, p1, p2, s1, s2 } = stockSetup();
    const stock = (await call('GET', 'report/stock/bystore/current')).json as J[];
    expect(stock).toEqual(
      expect.arrayContaining([
        { assortmentId: p1.id, storeId: s1.id, stock: 10 },
        { assortmentId: p1.id, storeId: s2.id, stock: 5 },
        { assortmentId: p2.id, storeId: s2.id, stock: 3 },
      ]),
    );
    expect(stock).toHaveLength(3);
    const free = (await call('GET', `report/stock/bystore/current?stockType=freeStock&filter=storeId=${s2.id}`)).json as J[];
    expect(free).toEqual([{ assortmentId: p1.id, storeId: s2.id, freeStock: 5 }]);
    const qty = (await call('GET', `report/stock/all/current?stockType=quantity&filter=assortmentId=${p1.id},${p2.id}`)).json as J[];
    expect(qty).toEqual([{ assortmentId: p1.id, quantity: 14 }]);
    const zero = (await call('GET', `report/stock/bystore/current?stockType=quantity&include=zeroLines&filter=storeId=${s2.id}`)).json as J[];
    expect(zero).toHaveLength(3);
    const bad = await call('GET', 'report/stock/all/current?stockType=nonsense');
    expect(bad.status).toBe(400);
    expect(errCode(await call('GET', `report/stock/all/current?filter=assortmentId=${encodeURIComponent('https://x/y')}`))).toBe(1014);
  });

  it('B3 §5 changedSince returns full current values of items changed since then, zeros and deletions included, at most 24 h back', async () => {
    const { call, a, clock, p1, p2, s1 } = stockSetup();
    clock.advance(60_000); // 12:01 MSK
    a.setStock(p2.id, s1.id, { stock: 0 });
    a.setStock(p1.id, s1.id, { stock: 7 });
    const r = (await call('GET', `report/stock/bystore/current?changedSince=${encodeURIComponent('2026-11-29 12:00:30')}`)).json as J[];
    expect(r).toEqual(
      expect.arrayContaining([
        { assortmentId: p2.id, storeId: s1.id, stock: 0 },
        { assortmentId: p1.id, storeId: s1.id, stock: 7 },
      ]),
    );
    expect(r).toHaveLength(2);
    clock.advance(1000);
    a.deleteProduct(p2.id);
    const del = (await call('GET', `report/stock/all/current?changedSince=${encodeURIComponent('2026-11-29 12:01:00')}`)).json as J[];
    expect(del).toEqual(expect.arrayContaining([{ assortmentId: p2.id, stock: 0 }]));
    const old = await call('GET', `report/stock/all/current?changedSince=${encodeURIComponent('2026-11-28 12:00:00')}`);
    expect(old.status).toBe(400);
    const future = await call('GET', `report/stock/all/current?changedSince=${encodeURIComponent('2026-11-30 12:00:00')}`);
    expect(future.status).toBe(400);
    expect(errCode(await call('GET', 'report/stock/all/current?changedSince=yesterday'))).toBe(1035);
  });
});

describe('emulator stock moved by orders (REFERENCE §5, §7)', () => {
  it('R5 §7 reserves of applicable customer orders with a store add to the stock reserve; changedSince sees them', async () => {
    const { call, emu, clock, a, s1, p1 } = stockSetup();
    const org = a.createEntity('organization', { name: 'O', archived: false });
    const cp = a.createEntity('counterparty', { name: 'C', archived: false });
    const meta = (type: string, id: string): J => ({ meta: { href: `${emu.apiBaseUrl}/entity/${type}/${id}`, type, mediaType: 'application/json' } });
    clock.advance(5000);
    const o = (
      await call('POST', 'entity/customerorder', {
        body: { organization: meta('organization', org.id), agent: meta('counterparty', cp.id), store: meta('store', s1.id), positions: [{ assortment: meta('product', p1.id), quantity: 3, price: 100, reserve: 3 }] },
      })
    ).json as J;
    const free = (await call('GET', `report/stock/bystore/current?stockType=freeStock&filter=storeId=${s1.id};assortmentId=${p1.id}`)).json as J[];
    expect(free).toEqual([{ assortmentId: p1.id, storeId: s1.id, freeStock: 10 - 2 - 3 }]);
    const since = (await call('GET', `report/stock/bystore/current?changedSince=${encodeURIComponent('2026-11-29 12:00:04')}`)).json as J[];
    expect(since).toEqual([{ assortmentId: p1.id, storeId: s1.id, stock: 10 }]);
    await call('DELETE', `entity/customerorder/${o.id}`);
    const back = (await call('GET', `report/stock/bystore/current?stockType=reserve&filter=storeId=${s1.id};assortmentId=${p1.id}`)).json as J[];
    expect(back).toEqual([{ assortmentId: p1.id, storeId: s1.id, reserve: 2 }]);
  });
});

describe('emulator reserves of customer orders in the stock reports (REFERENCE §5, §7; md/reports/_report_stock.md)', () => {
  it('C4 a reserve written through the API lowers quantity and freeStock at the order\'s store, follows position PUT/DELETE, and goes with the order', async () => {
    const { call, emu, clock, a, s1, s2, p1 } = stockSetup();
    const org = a.createEntity('organization', { name: 'O', archived: false });
    const cp = a.createEntity('counterparty', { name: 'C', archived: false });
    const meta = (type: string, id: string): J => ({ meta: { href: `${emu.apiBaseUrl}/entity/${type}/${id}`, type, mediaType: 'application/json' } });
    // s1: stock 10, reserve 2 (set), inTransit 1
    const at = async (store: string, stockType: string): Promise<number> => {
      const rows = (await call('GET', `report/stock/bystore/current?stockType=${stockType}&include=zeroLines&filter=storeId=${store};assortmentId=${p1.id}`)).json as J[];
      return rows[0]![stockType] as number;
    };
    const figures = async () => [await at(s1.id, 'stock'), await at(s1.id, 'reserve'), await at(s1.id, 'freeStock'), await at(s1.id, 'quantity'), await at(s2.id, 'quantity')];
    expect(await figures()).toEqual([10, 2, 8, 9, 5]);
    clock.advance(1000);
    const o = (
      await call('POST', 'entity/customerorder?expand=positions', {
        body: { organization: meta('organization', org.id), agent: meta('counterparty', cp.id), store: meta('store', s1.id), positions: [{ assortment: meta('product', p1.id), quantity: 4, price: 100, reserve: 4 }] },
      })
    ).json as J;
    expect(o.reservedSum).toBe(400);
    // quantity = stock − reserve + inTransit, freeStock = stock − reserve; the other store is untouched
    expect(await figures()).toEqual([10, 6, 4, 5, 5]);
    const all = ((await call('GET', 'report/stock/all')).json as J).rows as J[];
    expect(all.find((r) => r.code === 'MAHLE OC 90')).toMatchObject({ stock: 15, reserve: 6, inTransit: 1, quantity: 10 });
    const pid = o.positions.rows[0].id as string;
    await call('PUT', `entity/customerorder/${o.id}/positions/${pid}`, { body: { quantity: 4, reserve: 1 } });
    expect(await figures()).toEqual([10, 3, 7, 8, 5]);
    await call('DELETE', `entity/customerorder/${o.id}/positions/${pid}`);
    expect(await figures()).toEqual([10, 2, 8, 9, 5]);
    await call('POST', `entity/customerorder/${o.id}/positions`, { body: [{ assortment: meta('product', p1.id), quantity: 2, price: 100, reserve: 2 }] });
    expect(await figures()).toEqual([10, 4, 6, 7, 5]);
    await call('DELETE', `entity/customerorder/${o.id}`);
    expect(await figures()).toEqual([10, 2, 8, 9, 5]);
  });

  it('C4 a reserve cannot exceed the position\'s quantity (412/3007); a purchase order reserves nothing', async () => {
    const { call, emu, a, s1, p1 } = stockSetup();
    const org = a.createEntity('organization', { name: 'O', archived: false });
    const cp = a.createEntity('counterparty', { name: 'C', archived: false });
    const meta = (type: string, id: string): J => ({ meta: { href: `${emu.apiBaseUrl}/entity/${type}/${id}`, type, mediaType: 'application/json' } });
    const base = { organization: meta('organization', org.id), agent: meta('counterparty', cp.id), store: meta('store', s1.id) };
    const over = await call('POST', 'entity/customerorder', { body: { ...base, positions: [{ assortment: meta('product', p1.id), quantity: 1, price: 1, reserve: 2 }] } });
    expect([over.status, errCode(over)]).toEqual([412, 3007]);
    await call('POST', 'entity/purchaseorder', { body: { ...base, positions: [{ assortment: meta('product', p1.id), quantity: 3, price: 1, reserve: 3 }] } });
    const reserve = (await call('GET', `report/stock/bystore/current?stockType=reserve&filter=storeId=${s1.id};assortmentId=${p1.id}`)).json as J[];
    expect(reserve).toEqual([{ assortmentId: p1.id, storeId: s1.id, reserve: 2 }]);
  });
});

describe('emulator counterparty report (REFERENCE §6, VERIFIED #12)', () => {
  function crmSetup(crm = true) {
    const env = emptyEmulator({ accounts: [{ login: 'admin@demo', password: 'demo', seed: 'empty', crm }] });
    const a = env.emu.account('admin@demo');
    const c1 = a.createEntity('counterparty', { name: 'Должник', companyType: 'individual', archived: false });
    const c2 = a.createEntity('counterparty', { name: 'Предоплата', companyType: 'legal', archived: false });
    a.setBalance(c1.id, -60000);
    a.setBalance(c2.id, 12345);
    return { ...env, a, c1, c2 };
  }

  it('R29 §6 lists balances in kopecks (negative: the counterparty owes), by id, and for a POSTed set', async () => {
    const { call, c1, c2 } = crmSetup();
    const list = (await call('GET', 'report/counterparty')).json as J;
    expect(list.rows.map((r: J) => [r.counterparty.name, r.balance])).toEqual([
      ['Должник', -60000],
      ['Предоплата', 12345],
    ]);
    const one = (await call('GET', `report/counterparty/${c1.id}`)).json as J;
    expect(one).toMatchObject({ balance: -60000, counterparty: { id: c1.id } });
    const set = (await call('POST', 'report/counterparty', { body: { counterparties: [{ counterparty: { meta: list.rows[1].counterparty.meta } }] } })).json as J;
    expect(set.rows.map((r: J) => r.counterparty.id)).toEqual([c2.id]);
    const debtors = (await call('GET', `report/counterparty?filter=${encodeURIComponent('balance<0')}`)).json as J;
    expect(debtors.meta.size).toBe(1);
  });

  it('R29 §6 is refused with 1043 when the tariff has no CRM, and works again after setCrm(true)', async () => {
    const { call, a } = crmSetup(false);
    const r = await call('GET', 'report/counterparty');
    expect(errCode(r)).toBe(1043);
    a.setCrm(true);
    expect((await call('GET', 'report/counterparty')).status).toBe(200);
  });
});
