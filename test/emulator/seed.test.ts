import { normalizePhone } from '../../src/domain/phone.js';
import { describe, expect, it } from 'vitest';
import { inflateSync } from 'node:zlib';
import { ManualClock } from '../../src/core/clock.js';
import { createEmulator } from '../../src/emulator/index.js';
import { findSharedDataDir } from '../../src/emulator/seed/shared-data.js';
import { parseSeedArg } from '../../src/emulator/seed/index.js';
import { caller, type J } from './helpers.js';

describe('emulator seeds (issue 3 "Seeds")', () => {
  const clock = new ManualClock();
  const emu = createEmulator({ clock, limits: false });
  const a = emu.account('admin@demo');

  it('B4 the demo shop has 2 organizations with INN, 3 stores and the folder tree from parts.csv', () => {
    expect(a.organizations).toHaveLength(2);
    for (const o of a.organizations) expect(String(o.f.inn)).toMatch(/^\d{10}(\d{2})?$/);
    expect(a.stores.map((s) => s.f.name)).toEqual(['Основной склад', 'Склад Юг', 'Магазин на Ленина']);
    const paths = new Set(a.folders.map((f) => a.folderFullPath(f.id)));
    expect(paths.has('Автозапчасти/Фильтры/Масляные')).toBe(true);
    expect(paths.has('Масла и жидкости')).toBe(true);
  });

  it('R16 the demo has >= 2000 products whose Code is BRAND ARTICLE and a few dozen broken ones (B5)', () => {
    const products = a.listProducts();
    expect(products.length).toBeGreaterThanOrEqual(2000);
    let good = 0;
    let broken = 0;
    for (const p of products) {
      const code = String(p.f.code ?? '');
      const article = String(p.f.article ?? '');
      if (article !== '' && code.endsWith(` ${article}`)) good++;
      else broken++;
    }
    expect(good).toBeGreaterThanOrEqual(2000);
    expect(broken).toBeGreaterThanOrEqual(24);
    const codes = products.map((p) => String(p.f.code ?? ''));
    expect(codes.some((c) => c.startsWith('LEMFÖRDER '))).toBe(true);
    expect(codes.some((c) => c.startsWith('FEBI BILSTEIN '))).toBe(true);
    expect(codes.some((c) => c.startsWith('MANN-FILTER '))).toBe(true);
    expect(codes).toContain('MAHLE OC 1196');
    expect(codes).toContain('mahle OC 1196');
    expect(products.some((p) => p.f.article === undefined && p.f.code !== undefined)).toBe(true);
  });

  it('R1 demo images are valid PNGs; some products have 2-3 images', () => {
    const withImages = a.listProducts().filter((p) => (p.f.images as unknown[]).length > 0);
    expect(withImages.length).toBeGreaterThanOrEqual(30);
    expect(withImages.some((p) => (p.f.images as unknown[]).length >= 2)).toBe(true);
    const file = [...a.files.values()][0];
    const bytes = Buffer.from(file?.bytes ?? []);
    expect([...bytes.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const idatAt = bytes.indexOf('IDAT');
    const len = bytes.readUInt32BE(idatAt - 4);
    expect(() => inflateSync(bytes.subarray(idatAt + 4, idatAt + 4 + len))).not.toThrow();
  });

  it('R4 demo stock is spread over the stores with reserves and in-transit; price types and CRM balances exist', () => {
    let reserves = 0;
    let transit = 0;
    const stores = new Set<string>();
    for (const m of a.stock.values()) for (const [s, c] of m) {
      stores.add(s);
      if (c.reserve > 0) reserves++;
      if (c.inTransit > 0) transit++;
    }
    expect(stores.size).toBe(3);
    expect(reserves).toBeGreaterThan(10);
    expect(transit).toBeGreaterThan(10);
    expect(a.priceTypes.map((p) => p.name)).toEqual(['Цена продажи', 'Оптовая']);
    expect([...a.balances.values()].some((b) => b < 0)).toBe(true);
  });

  it('B6 demo counterparties mix legal entities with INN and individuals with phones/emails in mixed formats', () => {
    const cps = a.counterparties;
    expect(cps.filter((c) => c.f.companyType === 'legal' && /^\d{10}$/.test(String(c.f.inn))).length).toBeGreaterThanOrEqual(5);
    expect(cps.some((c) => /[A-Z]/.test(String(c.f.email ?? '')))).toBe(true);
  });

  it('C13 demo phones come in the spellings libphonenumber-js writes (national, international, E.164, with доб.), each a valid number', () => {
    const phones = a.counterparties.map((c) => String(c.f.phone ?? '')).filter(Boolean);
    expect(phones.some((p) => /^8 \(\d{3}\) \d{3}-\d{2}-\d{2}$/.test(p))).toBe(true);
    expect(phones.some((p) => /^\+7 \d{3} \d{3} \d{2} \d{2}$/.test(p))).toBe(true);
    expect(phones.some((p) => /^\+7\d{10}$/.test(p))).toBe(true);
    expect(phones.some((p) => / доб\. \d+$/.test(p))).toBe(true);
    expect(phones.some((p) => /^\(\d{3}\) \d{3}-\d{2}-\d{2}$/.test(p))).toBe(true);
    expect(phones.filter((p) => normalizePhone(p) === null)).toEqual([]);
  });

  it('B4 the demo is served through the API (products listed with paging)', async () => {
    const call = caller(emu);
    const r = (await call('GET', 'entity/product?limit=1000')).json as J;
    expect(r.meta.size).toBe(a.listProducts().filter((p) => p.f.archived !== true).length);
    expect(a.listProducts().some((p) => p.f.archived === true)).toBe(true);
    expect(r.meta.nextHref).toBeDefined();
  });

  it('B4 a generator makes N products deterministically from a seed number', () => {
    const g1 = createEmulator({ clock, limits: false, accounts: [{ login: 'g', password: 'g', seed: { kind: 'generated', products: 500, seed: 42 } }] });
    const g2 = createEmulator({ clock, limits: false, accounts: [{ login: 'g', password: 'g', seed: { kind: 'generated', products: 500, seed: 42 } }] });
    const g3 = createEmulator({ clock, limits: false, accounts: [{ login: 'g', password: 'g', seed: { kind: 'generated', products: 500, seed: 43 } }] });
    const codes = (e: typeof g1): string[] => e.account('g').listProducts().map((p) => `${p.id} ${String(p.f.code)}`);
    expect(codes(g1)).toHaveLength(500);
    expect(codes(g1)).toEqual(codes(g2));
    expect(codes(g1)).not.toEqual(codes(g3));
    expect(new Set(g1.account('g').listProducts().map((p) => p.f.code)).size).toBe(500);
  });

  it('B4 the shared data dir is found by walking up, or from MSX_SHARED_DATA', () => {
    const dir = findSharedDataDir({});
    expect(dir.endsWith('shared/data')).toBe(true);
    expect(findSharedDataDir({ MSX_SHARED_DATA: dir })).toBe(dir);
    expect(() => findSharedDataDir({ MSX_SHARED_DATA: '/nonexistent' })).toThrow();
  });

  it('B4 parses the CLI seed forms', () => {
    expect(parseSeedArg('demo')).toBe('demo');
    expect(parseSeedArg('generated:100000')).toEqual({ kind: 'generated', products: 100000, seed: 1 });
    expect(parseSeedArg('generated:10:7')).toEqual({ kind: 'generated', products: 10, seed: 7 });
    expect(() => parseSeedArg('lots')).toThrow();
  });
});
