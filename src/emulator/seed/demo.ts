/**
 * @module demo
 * The demo auto-parts shop: 2 organizations, 3 stores, the folder tree of parts.csv, ≥ 2,000
 * products whose Code is `BRAND ARTICLE` and Article the article, a few dozen broken codes for
 * the data-quality report (tricky-codes.csv, empty articles, a brand+article collision), small
 * PNG images, stock with reserves and in-transit, two price types, counterparties with mixed
 * phone/email formats and CRM balances, a few orders. Deterministic.
 */

import type { EmulatorAccount } from '../state/account.js';
import { createRng, intBetween, pick, rngUuid, type Rng } from '../state/ids.js';
import { ref, type Fields, type Position } from '../state/types.js';
import { computeSums } from '../routes/input-positions.js';
import { formatMoscow } from '../../core/moscow-time.js';
import { articleLike, buildFolders, innLegal, innPerson, randomPrice, seedOrganizations, seedStores, seededProduct, sharedRefs } from './catalog.js';
import { makePng } from './png.js';
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { loadSharedData } from './shared-data.js';

export const DEMO_PRODUCTS = 2100;

export interface DemoSummary {
  products: number;
  broken: number;
  withImages: number;
}

/**
 * C10 the demo account's second user: `manager@<account>` with the account's password, NOT an
 * administrator, without the stock-report permission (13004) and without CRM access, so that the
 * module's administrator check and permission messages can be tried on the demo.
 */
export function demoManagerLogin(accountLogin: string): string {
  const at = accountLogin.indexOf('@');
  return `manager${at >= 0 ? accountLogin.slice(at) : `@${accountLogin}`}`;
}

export function seedDemo(a: EmulatorAccount, seed = 20261129): DemoSummary {
  if (!a.users.some((u) => u.login === demoManagerLogin(a.login))) {
    a.addUser({ login: demoManagerLogin(a.login), password: a.password, name: 'Менеджер', admin: false, stockReport: false, companyCrm: false }, rngUuid(createRng(seed ^ 0x3a9a)));
  }
  const data = loadSharedData();
  const rng = createRng(seed);
  const idRng = createRng(seed ^ 0x5eed);
  const runtimeIds = a.ids;
  a.ids = () => rngUuid(idRng);
  try {
    return build(a, rng, data);
  } finally {
    a.ids = runtimeIds;
  }
}

function build(a: EmulatorAccount, rng: Rng, data: ReturnType<typeof loadSharedData>): DemoSummary {
  const [orgId] = seedOrganizations(a, rng);
  const storeIds = seedStores(a, 3);
  const folders = buildFolders(a, data.parts);
  const refs = sharedRefs(a);
  const codes = new Set<string>();
  const productIds: string[] = [];
  let ext = 0;

  const add = (name: string, code: string | undefined, article: string | undefined, folderPath: string, archived = false): string | undefined => {
    if (code !== undefined && code !== '' && codes.has(code)) return undefined;
    if (code) codes.add(code);
    const f = seededProduct(refs, { name, code, article, folderId: folders.get(folderPath), price: randomPrice(rng), externalCode: `demo-${++ext}`, archived });
    const e = a.insert('product', f);
    productIds.push(e.id);
    return e.id;
  };

  // well-formed products: BRAND ARTICLE
  let made = 0;
  let guard = 0;
  while (made < DEMO_PRODUCTS && guard++ < DEMO_PRODUCTS * 20) {
    const b = pick(rng, data.brands);
    const part = pick(rng, data.parts);
    const article = made < data.brands.length ? (data.brands[made]?.article_example ?? '') : articleLike(rng, b.article_example, guard > DEMO_PRODUCTS * 3 ? 1 : 0);
    const brand = made < data.brands.length ? (data.brands[made]?.brand ?? b.brand) : b.brand;
    const p = made < data.brands.length ? (data.parts[made % data.parts.length] ?? part) : part;
    const code = `${brand} ${article}`;
    if (codes.has(code)) continue;
    add(`${p.name_ru} ${brand} ${article}`, code, article, p.category_path, made % 97 === 96);
    made++;
  }

  // broken and tricky codes (every row of tricky-codes.csv; exact duplicates of a code are skipped)
  let broken = 0;
  const unsorted = 'Автозапчасти/Фильтры/Масляные';
  for (const t of data.tricky) {
    if (add(`Проверка кода: ${t.why.slice(0, 80)}`, t.code, t.article, unsorted)) broken++;
  }
  // empty articles
  for (let i = 0; i < 6; i++) {
    const b = pick(rng, data.brands);
    if (add(`Фильтр без артикула ${b.brand} #${i + 1}`, `${b.brand} БЕЗ-АРТИКУЛА-${i + 1}`, undefined, unsorted)) broken++;
  }
  // article not at the end of Code
  for (let i = 0; i < 8; i++) {
    const b = pick(rng, data.brands);
    const art = articleLike(rng, b.article_example, 1);
    if (add(`Код с артикулом в начале ${i + 1}`, `${art} ${b.brand}`, art, unsorted)) broken++;
  }
  // duplicate pair: Codes differ, but brand + article collide
  if (add('Фильтр масляный MAHLE OC 1196 (дубль 1)', 'MAHLE OC 1196', 'OC 1196', unsorted)) broken++;
  if (add('Фильтр масляный MAHLE OC 1196 (дубль 2)', 'mahle OC 1196', 'OC 1196', unsorted)) broken++;
  if (add('Фильтр воздушный MANN-FILTER C 3698/3 (дубль 1)', 'MANN-FILTER C 3698/3', 'C 3698/3', unsorted)) broken++;
  if (add('Фильтр воздушный MANN-FILTER C 3698/3 (дубль 2)', 'MANN-FILTER  C 3698/3', 'C 3698/3', unsorted)) broken++;
  // no code at all
  for (let i = 0; i < 4; i++) if (add(`Товар без кода ${i + 1}`, undefined, `NOCODE${i + 1}`, unsorted)) broken++;

  // images: 30 products with one image, 6 with 2-3
  let withImages = 0;
  for (let i = 0; i < 36; i++) {
    const id = productIds[i * 37 + 5];
    if (!id) continue;
    const n = i < 30 ? 1 : 2 + (i % 2);
    for (let k = 0; k < n; k++) a.addImage(id, `photo-${i + 1}-${k + 1}.png`, makePng(i * 7 + k + 1, 24 + 8 * k), false);
    withImages++;
  }

  // stock over the stores, with reserves and in-transit
  for (const id of productIds) {
    for (const storeId of storeIds) {
      if (rng() < 0.35) continue;
      const stock = rng() < 0.1 ? 0 : intBetween(rng, 1, 40);
      const reserve = stock > 0 && rng() < 0.2 ? intBetween(rng, 1, Math.min(stock, 5)) : 0;
      const inTransit = rng() < 0.1 ? intBetween(rng, 1, 20) : 0;
      a.touchStock(id, storeId, { stock, reserve, inTransit });
    }
  }

  // a few variants (motor oil volumes)
  const oil = productIds.find((id) => String(a.get('product', id)?.f.name ?? '').startsWith('Масло'));
  if (oil) {
    const parent = a.get('product', oil);
    for (const [i, vol] of ['1 л', '4 л', '5 л'].entries()) {
      // No own Article: catalogued from the product's Code (C2), with stock in every store.
      const variant = a.insert('variant', {
        name: `${String(parent?.f.name)} (${vol})`,
        code: `${String(parent?.f.code)}-${i + 1}`,
        externalCode: `variant-${i + 1}`,
        archived: false,
        shared: false,
        product: ref('product', oil),
        characteristics: [{ id: a.ids(), name: 'Объём', value: vol }],
        salePrices: [{ value: 50000 * (i + 1), currency: refs.currency, priceType: refs.sale }],
        images: [],
      });
      for (const [k, storeId] of storeIds.entries()) a.touchStock(variant.id, storeId, { stock: 4 + 3 * i + k, reserve: 0, inTransit: 0 });
    }
  }

  const counterparties = seedCounterparties(a, rng);
  seedOrders(a, rng, orgId ?? '', storeIds[0] ?? '', counterparties, productIds);
  return { products: productIds.length, broken, withImages };
}

/**
 * C13 the spellings shops really type, built by libphonenumber-js from the 10 national digits: its
 * national (`8 (912) 345-67-89`) and international (`+7 912 345-67-89`) formats, E.164, the national
 * number without a prefix, an extension (`доб.`), and bare digits with 7 or 8 in front.
 */
const phone = (d: string) => parsePhoneNumberFromString(`+7${d}`)!;
const PHONE_FORMATS: ((d: string) => string)[] = [
  (d) => phone(d).formatNational(),
  (d) => phone(d).formatInternational(),
  (d) => phone(d).number,
  (d) => `8${d}`,
  (d) => `${phone(d).formatInternational()} доб. ${d.slice(7)}`,
  (d) => `7-${d.slice(0, 3)}-${d.slice(3, 6)}-${d.slice(6)}`,
  (d) => phone(d).formatNational().replace(/^8 /, ''),
];

const FIRST = ['Иван', 'Пётр', 'Анна', 'Мария', 'Сергей', 'Ольга', 'Дмитрий', 'Елена', 'Алексей', 'Наталья'];
const LAST = ['Иванов', 'Петров', 'Смирнов', 'Кузнецов', 'Попов', 'Соколов', 'Лебедев', 'Козлов', 'Новиков', 'Морозов'];
const LATIN: Record<string, string> = { Иван: 'ivan', Пётр: 'petr', Анна: 'anna', Мария: 'maria', Сергей: 'sergey', Ольга: 'olga', Дмитрий: 'dmitry', Елена: 'elena', Алексей: 'alexey', Наталья: 'natalia' };

function seedCounterparties(a: EmulatorAccount, rng: Rng): string[] {
  const ids: string[] = [];
  const legal = ['Автосервис "Мотор"', 'Такси "Быстрое"', 'Транспортная компания "Вектор"', 'Автопарк "Север"', 'СТО "Гараж 24"', 'Логистика "Путь"', 'Автомойка "Блеск"', 'Дилер "АвтоМир"'];
  for (const [i, name] of legal.entries()) {
    const f: Fields = {
      name: `ООО ${name}`,
      externalCode: `cp-legal-${i + 1}`,
      archived: false,
      shared: false,
      companyType: 'legal',
      inn: innLegal(rng),
      kpp: `77${intBetween(rng, 10, 99)}01001`,
      legalTitle: `Общество с ограниченной ответственностью ${name}`,
      email: i % 2 ? `Zakaz@Company${i + 1}.ru` : `info@company${i + 1}.ru`,
      phone: pick(rng, PHONE_FORMATS)(`9${intBetween(rng, 100000000, 999999999)}`),
      tags: ['оптовики'],
    };
    ids.push(a.insert('counterparty', f).id);
  }
  for (let i = 0; i < 24; i++) {
    const first = FIRST[i % FIRST.length] as string;
    const last = LAST[(i * 3) % LAST.length] as string;
    const digits = `9${intBetween(rng, 100000000, 999999999)}`;
    const f: Fields = {
      name: `${last}${first.endsWith('а') || first.endsWith('я') ? 'а' : ''} ${first}`,
      externalCode: `cp-person-${i + 1}`,
      archived: false,
      shared: false,
      companyType: 'individual',
      legalFirstName: first,
      legalLastName: last,
      phone: (PHONE_FORMATS[i % PHONE_FORMATS.length] as (d: string) => string)(digits),
    };
    if (i % 3 !== 2) f.email = i % 2 ? ` ${(LATIN[first] ?? 'user').toUpperCase()}.${i}@Mail.RU ` : `${LATIN[first] ?? 'user'}${i}@yandex.ru`;
    if (i % 5 === 0) f.inn = innPerson(rng);
    ids.push(a.insert('counterparty', f).id);
  }
  for (const [i, id] of ids.entries()) {
    if (i % 3 === 0) a.balances.set(id, -intBetween(rng, 1, 500) * 1000);
    else if (i % 3 === 1) a.balances.set(id, intBetween(rng, 1, 200) * 1000);
  }
  return ids;
}

function seedOrders(a: EmulatorAccount, rng: Rng, orgId: string, storeId: string, cps: string[], productIds: string[]): void {
  const [newState] = a.states.customerorder;
  for (let i = 0; i < 5; i++) {
    const positions: Position[] = [];
    for (let k = 0; k < 1 + (i % 3); k++) {
      const pid = pick(rng, productIds);
      const prices = a.get('product', pid)?.f.salePrices as { value: number }[];
      positions.push({ id: a.ids(), f: { assortment: ref('product', pid), quantity: 1 + k, price: prices[0]?.value ?? 0, discount: k === 1 ? 5 : 0, vat: 0, vatEnabled: false, reserve: 0, shipped: 0 } });
    }
    const f: Fields = {
      name: a.nextName('customerorder'),
      externalCode: `shop-order-${10500 + i}`,
      moment: formatMoscow(Math.floor(a.nowMs() / 60000) * 60000),
      applicable: true,
      vatEnabled: false,
      vatIncluded: true,
      organization: ref('organization', orgId),
      agent: ref('counterparty', pick(rng, cps)),
      store: ref('store', storeId),
      positions,
      description: `Заказ с сайта #${10500 + i}`,
    };
    if (newState) f.state = ref('state', newState.id, 'customerorder');
    computeSums('customerorder', f);
    a.insert('customerorder', f);
  }
}
