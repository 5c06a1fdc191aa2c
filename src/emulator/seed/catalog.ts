/**
 * @module catalog
 * Building blocks shared by the seeds: the folder tree from parts.csv, brand-shaped articles,
 * valid INNs, organizations and stores.
 */

import type { EmulatorAccount } from '../state/account.js';
import { intBetween, pick, type Rng } from '../state/ids.js';
import { ref, type Fields, type Ref } from '../state/types.js';
import type { PartRow } from './shared-data.js';

/** Creates every folder named by the part paths; returns full path → folder id. */
export function buildFolders(a: EmulatorAccount, parts: PartRow[]): Map<string, string> {
  const ids = new Map<string, string>();
  for (const p of parts) {
    const levels = p.category_path.split('/');
    for (let i = 1; i <= levels.length; i++) {
      const path = levels.slice(0, i).join('/');
      if (ids.has(path)) continue;
      const parentPath = levels.slice(0, i - 1).join('/');
      const f: Fields = { name: levels[i - 1], externalCode: `folder-${ids.size + 1}`, archived: false, shared: false, useParentVat: true };
      const parentId = ids.get(parentPath);
      if (parentId) f.productFolder = ref('productfolder', parentId);
      ids.set(path, a.insert('productfolder', f).id);
    }
  }
  return ids;
}

/** Re-draws the digits of an article example, keeping its shape (`OC 90` → `OC 47`). */
export function articleLike(rng: Rng, example: string, extraDigits = 0): string {
  let out = '';
  let lastDigit = -1;
  for (let i = 0; i < example.length; i++) {
    const ch = example[i] as string;
    if (ch >= '0' && ch <= '9') {
      out += String(intBetween(rng, 0, 9));
      lastDigit = out.length;
    } else out += ch;
  }
  if (extraDigits > 0) {
    let extra = '';
    for (let i = 0; i < extraDigits; i++) extra += String(intBetween(rng, 0, 9));
    out = lastDigit >= 0 ? out.slice(0, lastDigit) + extra + out.slice(lastDigit) : out + extra;
  }
  return out;
}

function innChecksum(digits: number[], weights: number[]): number {
  return (weights.reduce((s, w, i) => s + w * (digits[i] as number), 0) % 11) % 10;
}

/** A checksum-valid 10-digit INN of a legal entity. */
export function innLegal(rng: Rng): string {
  const d = [7, 7, ...Array.from({ length: 7 }, () => intBetween(rng, 0, 9))];
  d.push(innChecksum(d, [2, 4, 10, 3, 5, 9, 4, 6, 8]));
  return d.join('');
}

/** A checksum-valid 12-digit INN of a person. */
export function innPerson(rng: Rng): string {
  const d = [6, 6, ...Array.from({ length: 8 }, () => intBetween(rng, 0, 9))];
  d.push(innChecksum(d, [7, 2, 4, 10, 3, 5, 9, 4, 6, 8]));
  d.push(innChecksum(d, [3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8]));
  return d.join('');
}

export function seedOrganizations(a: EmulatorAccount, rng: Rng): string[] {
  const legal = a.insert('organization', {
    name: 'ООО "Автодеталь"',
    externalCode: 'org-autodetal',
    archived: false,
    shared: false,
    companyType: 'legal',
    inn: innLegal(rng),
    kpp: '770701001',
    legalTitle: 'Общество с ограниченной ответственностью "Автодеталь"',
    legalAddress: '125009, Россия, г Москва, ул Тверская, д 7',
    email: 'info@autodetal.example',
    phone: '+7 495 123-45-67',
  });
  const ip = a.insert('organization', {
    name: 'ИП Сидоров П. А.',
    externalCode: 'org-sidorov',
    archived: false,
    shared: false,
    companyType: 'entrepreneur',
    inn: innPerson(rng),
    legalTitle: 'Индивидуальный предприниматель Сидоров Пётр Алексеевич',
    legalAddress: '620014, Россия, г Екатеринбург, ул Ленина, д 24',
  });
  return [legal.id, ip.id];
}

export const STORE_NAMES = ['Основной склад', 'Склад Юг', 'Магазин на Ленина', 'Склад Север', 'Склад Восток', 'Склад Запад'];

export function seedStores(a: EmulatorAccount, n: number): string[] {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const name = STORE_NAMES[i] ?? `Склад ${i + 1}`;
    ids.push(a.insert('store', { name, externalCode: `store-${i + 1}`, archived: false, shared: false, address: `г Москва, ул Складская, д ${i + 1}` }).id);
  }
  return ids;
}

/** Immutable refs shared by many seeded products (they are never mutated in place). */
export interface SharedRefs {
  uom: Ref;
  currency: Ref;
  sale: Ref;
  wholesale: Ref;
}

export function sharedRefs(a: EmulatorAccount): SharedRefs {
  const [sale, wholesale] = a.priceTypes;
  return {
    uom: ref('uom', a.uomId),
    currency: ref('currency', a.currencyId),
    sale: ref('pricetype', sale?.id ?? ''),
    wholesale: ref('pricetype', wholesale?.id ?? ''),
  };
}

/** Product fields as the API stores them; prices in kopecks. */
export function seededProduct(r: SharedRefs, p: { name: string; code?: string; article?: string; folderId?: string; price: number; externalCode: string; archived?: boolean }): Fields {
  const f: Fields = { name: p.name, externalCode: p.externalCode };
  if (p.code !== undefined && p.code.trim() !== '') f.code = p.code;
  if (p.article !== undefined && p.article.trim() !== '') f.article = p.article;
  f.archived = p.archived ?? false;
  f.shared = false;
  if (p.folderId) f.productFolder = ref('productfolder', p.folderId);
  f.uom = r.uom;
  f.salePrices = [
    { value: p.price, currency: r.currency, priceType: r.sale },
    { value: Math.round(p.price * 0.9), currency: r.currency, priceType: r.wholesale },
  ];
  f.buyPrice = { value: Math.round(p.price * 0.65), currency: r.currency };
  f.images = [];
  f.vatEnabled = false;
  f.useParentVat = true;
  f.paymentItemType = 'GOOD';
  f.trackingType = 'NOT_TRACKED';
  return f;
}

export function randomPrice(rng: Rng): number {
  // 150 ₽ … 25 000 ₽, rounded to 10 ₽
  return intBetween(rng, 15, 2500) * 1000;
}

export function pickPart(rng: Rng, parts: PartRow[]): PartRow {
  return pick(rng, parts);
}
