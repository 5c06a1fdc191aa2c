import { describe, expect, it } from 'vitest';
import { emptyEmulator, errCode, type J } from './helpers.js';

async function withProducts(n = 5) {
  const env = emptyEmulator();
  const a = env.emu.account('admin@demo');
  const folder = a.createEntity('productfolder', { name: 'Фильтры', externalCode: 'f1', archived: false });
  for (let i = 1; i <= n; i++) {
    env.clock.advance(1000);
    a.createProduct({ name: `Фильтр масляный ${i}`, code: `MAHLE OC ${i}`, article: `OC ${i}`, folderId: i % 2 ? folder.id : undefined, salePrice: i * 10000, weight: i });
  }
  return { ...env, a, folder };
}

describe('emulator lists (REFERENCE §2.1–2.3, VERIFIED #1, #8)', () => {
  it('B4 §2.1 wraps lists in {context, meta, rows} with hrefs on the emulator base and paging links', async () => {
    const { call, emu } = await withProducts(5);
    const r = await call('GET', 'entity/product?limit=2&offset=2');
    const j = r.json as J;
    expect(Object.keys(j)).toEqual(['context', 'meta', 'rows']);
    expect(j.meta).toMatchObject({ href: `${emu.apiBaseUrl}/entity/product`, type: 'product', mediaType: 'application/json', size: 5, limit: 2, offset: 2 });
    expect(j.meta.nextHref).toBe(`${emu.apiBaseUrl}/entity/product?limit=2&offset=4`);
    expect(j.meta.previousHref).toBe(`${emu.apiBaseUrl}/entity/product?limit=2&offset=0`);
    expect(j.rows).toHaveLength(2);
    expect(j.rows[0].meta.href).toBe(`${emu.apiBaseUrl}/entity/product/${j.rows[0].id}`);
    expect(j.context.employee.meta.href.startsWith(emu.apiBaseUrl)).toBe(true);
    const last = (await call('GET', 'entity/product?limit=2&offset=4')).json as J;
    expect(last.meta.nextHref).toBeUndefined();
    expect((await call('GET', 'entity/product')).json).toMatchObject({ meta: { limit: 1000, offset: 0 } });
  });

  it('B4 §2.2 refuses limit above 1000 (and 0) with 400/1014 — the documented range is 1..1000', async () => {
    const { call } = await withProducts(1);
    for (const l of ['1001', '5000', '0', 'abc']) {
      const r = await call('GET', `entity/product?limit=${l}`);
      expect([r.status, errCode(r)]).toEqual([400, 1014]);
    }
    expect((await call('GET', 'entity/product?limit=1000')).status).toBe(200);
  });

  it('B4 §2.2 honours expand only with limit <= 100 and silently ignores it above', async () => {
    const { call } = await withProducts(3);
    const small = (await call('GET', 'entity/product?limit=100&expand=productFolder&filter=article=OC 1')).json as J;
    expect(small.rows[0].productFolder.name).toBe('Фильтры');
    const big = await call('GET', 'entity/product?limit=101&expand=productFolder&filter=article=OC 1');
    expect(big.status).toBe(200);
    expect((big.json as J).rows[0].productFolder.name).toBeUndefined();
    expect((big.json as J).rows[0].productFolder.meta.type).toBe('productfolder');
  });

  it('B4 §2.3 filters with = != > < >= <= ~ ~= =~; repeated = is OR; different fields AND', async () => {
    const { call } = await withProducts(5);
    const codes = async (f: string): Promise<string[]> => {
      const r = await call('GET', `entity/product?filter=${encodeURIComponent(f)}&order=code`);
      expect(r.status).toBe(200);
      return ((r.json as J).rows as { code: string }[]).map((x) => x.code);
    };
    expect(await codes('code=MAHLE OC 2')).toEqual(['MAHLE OC 2']);
    expect(await codes('code=MAHLE OC 2;code=MAHLE OC 4')).toEqual(['MAHLE OC 2', 'MAHLE OC 4']);
    expect(await codes('code!=MAHLE OC 2;code!=MAHLE OC 4')).toEqual(['MAHLE OC 1', 'MAHLE OC 3', 'MAHLE OC 5']);
    expect(await codes('weight>3')).toEqual(['MAHLE OC 4', 'MAHLE OC 5']);
    expect(await codes('weight>=2;weight<=3')).toEqual(['MAHLE OC 2', 'MAHLE OC 3']);
    expect(await codes('weight<2')).toEqual(['MAHLE OC 1']);
    expect(await codes('name~масляный 3')).toEqual(['MAHLE OC 3']);
    expect(await codes('code~=mahle oc 5')).toEqual(['MAHLE OC 5']);
    expect(await codes('article=~c 1')).toEqual(['MAHLE OC 1']);
    expect(await codes('article=OC 1;weight=1')).toEqual(['MAHLE OC 1']);
    expect(await codes('article=OC 1;weight=2')).toEqual([]);
  });

  it('B4 §2.3 escapes a literal ; as \\; inside a value', async () => {
    const { call, a } = await withProducts(0);
    a.createProduct({ name: 'A;B', code: 'X;1' });
    a.createProduct({ name: 'A', code: 'X' });
    const r = await call('GET', `entity/product?filter=${encodeURIComponent('name=A\\;B')}`);
    expect(((r.json as J).rows as J[]).map((x) => x.code)).toEqual(['X;1']);
  });

  it('B4 §2.3 filters references by full href; a foreign host gives 400/1059', async () => {
    const { call, emu, a } = await withProducts(0);
    const cp = a.createEntity('counterparty', { name: 'ООО Поставщик', companyType: 'legal', archived: false });
    a.createProduct({ name: 'с поставщиком', code: 'S1' });
    const pid = a.listProducts()[0]?.id as string;
    await call('PUT', `entity/product/${pid}`, { body: { supplier: { meta: { href: `${emu.apiBaseUrl}/entity/counterparty/${cp.id}`, type: 'counterparty', mediaType: 'application/json' } } } });
    a.createProduct({ name: 'без поставщика', code: 'S2' });
    const ok = await call('GET', `entity/product?filter=supplier=${emu.apiBaseUrl}/entity/counterparty/${cp.id}`);
    expect(((ok.json as J).rows as J[]).map((x) => x.code)).toEqual(['S1']);
    const foreign = await call('GET', `entity/product?filter=supplier=https://api.moysklad.ru/api/remap/1.2/entity/counterparty/${cp.id}`);
    expect([foreign.status, errCode(foreign)]).toEqual([400, 1059]);
  });

  it('B3 §2.3 filters dates as yyyy-MM-dd HH:mm:ss Moscow time; a bad date gives 1035', async () => {
    const { call } = await withProducts(5);
    // products were updated at 09:00:01..09:00:05 UTC = 12:00:01..12:00:05 MSK
    const r = await call('GET', `entity/product?filter=${encodeURIComponent('updated>=2026-11-29 12:00:04')}`);
    expect(((r.json as J).rows as J[]).map((x) => x.code)).toEqual(['MAHLE OC 4', 'MAHLE OC 5']);
    expect(((r.json as J).rows as J[])[0].updated).toBe('2026-11-29 12:00:04.000');
    const bad = await call('GET', `entity/product?filter=${encodeURIComponent('updated>=2026-13-01 00:00:00')}`);
    expect(errCode(bad)).toBe(1035);
    const bad2 = await call('GET', `entity/product?filter=${encodeURIComponent('updated>=29.11.2026')}`);
    expect(errCode(bad2)).toBe(1035);
  });

  it('B4 §2.3 rejects unknown filter fields and operators that do not fit the field (1034)', async () => {
    const { call } = await withProducts(1);
    expect(errCode(await call('GET', 'entity/product?filter=productFolder=x'))).toBe(1034);
    expect(errCode(await call('GET', 'entity/product?filter=weight~1'))).toBe(1034);
    expect(errCode(await call('GET', 'entity/product?filter=weight=1;weight>0'))).toBe(1034);
  });

  it('B4 §2.2 orders by field,asc|desc;field2 and rejects unknown sort fields', async () => {
    const { call } = await withProducts(3);
    const r = await call('GET', `entity/product?order=${encodeURIComponent('weight,desc;name')}`);
    expect(((r.json as J).rows as J[]).map((x) => x.weight)).toEqual([3, 2, 1]);
    expect(errCode(await call('GET', 'entity/product?order=nonsense'))).toBe(1063);
  });

  it('B4 §2.2 searches products over name, code and article', async () => {
    const { call, a } = await withProducts(0);
    a.createProduct({ name: 'Фильтр масляный', code: 'MANN-FILTER W 712/75', article: 'W 712/75' });
    a.createProduct({ name: 'Колодки тормозные', code: 'BOSCH 0 986 452 041', article: '0 986 452 041' });
    const s = async (q: string): Promise<string[]> => (((await call('GET', `entity/product?search=${encodeURIComponent(q)}`)).json as J).rows as J[]).map((x) => x.code);
    expect(await s('фильтр')).toEqual(['MANN-FILTER W 712/75']);
    expect(await s('W 712')).toEqual(['MANN-FILTER W 712/75']);
    expect(await s('0 986 452')).toEqual(['BOSCH 0 986 452 041']);
    expect(await s('колод торм')).toEqual(['BOSCH 0 986 452 041']);
  });

  it('B4 §2.3 hides archived rows unless archived is filtered', async () => {
    const { call, a } = await withProducts(2);
    const first = a.listProducts()[0];
    a.archiveProduct(first?.id as string);
    expect(((await call('GET', 'entity/product')).json as J).meta.size).toBe(1);
    expect(((await call('GET', 'entity/product?filter=archived=true')).json as J).meta.size).toBe(1);
    expect(((await call('GET', 'entity/product?filter=archived=true;archived=false')).json as J).meta.size).toBe(2);
  });
});
