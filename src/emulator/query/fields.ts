/**
 * @module fields
 * Which fields of which entity type can be filtered and sorted, and how `search` matches.
 */

import { parseMoscow } from '../../core/moscow-time.js';
import type { EmulatorAccount } from '../state/account.js';
import { isRef, type Entity, type EntityType } from '../state/types.js';
import type { FieldSpec } from './filter.js';

const str = (k: string): FieldSpec => ({ kind: 'string', get: (e: Entity) => e.f[k] });
const num = (k: string): FieldSpec => ({ kind: 'number', get: (e: Entity) => e.f[k] });
const bool = (k: string): FieldSpec => ({ kind: 'bool', get: (e: Entity) => e.f[k] ?? false });
const en = (k: string): FieldSpec => ({ kind: 'enum', get: (e: Entity) => e.f[k] });
const refF = (k: string, refType: string): FieldSpec => ({
  kind: 'ref',
  refType,
  get: (e: Entity) => {
    const v = e.f[k];
    return isRef(v) ? v.$ref.id : undefined;
  },
});
const dateF = (k: string): FieldSpec => ({
  kind: 'date',
  get: (e: Entity) => (typeof e.f[k] === 'string' ? (parseMoscow(e.f[k] as string) ?? undefined) : undefined),
});

const common = (): Record<string, FieldSpec> => ({
  id: { kind: 'uuid', get: (e: Entity) => e.id },
  updated: { kind: 'date', get: (e: Entity) => e.updatedMs },
  name: str('name'),
  code: str('code'),
  externalCode: str('externalCode'),
  description: str('description'),
  archived: bool('archived'),
  shared: bool('shared'),
});

export function fieldSpecs(type: EntityType, account: EmulatorAccount): Record<string, FieldSpec> {
  const c = common();
  switch (type) {
    case 'product':
      return {
        ...c,
        article: str('article'),
        syncId: { kind: 'uuid', get: (e: Entity) => e.f.syncId },
        pathName: {
          kind: 'string',
          get: (e: Entity) => (isRef(e.f.productFolder) ? account.folderFullPath(e.f.productFolder.$ref.id) : ''),
        },
        weight: num('weight'),
        volume: num('volume'),
        minimumBalance: num('minimumBalance'),
        supplier: refF('supplier', 'counterparty'),
        isSerialTrackable: bool('isSerialTrackable'),
      };
    case 'variant':
      return {
        ...c,
        article: str('article'),
        productid: { kind: 'uuid', get: (e: Entity) => (isRef(e.f.product) ? e.f.product.$ref.id : undefined) },
      };
    case 'productfolder':
      return {
        ...c,
        pathName: {
          kind: 'string',
          get: (e: Entity) => (isRef(e.f.productFolder) ? account.folderFullPath(e.f.productFolder.$ref.id) : ''),
        },
      };
    case 'store':
      return { ...c, address: str('address'), parent: refF('parent', 'store') };
    case 'organization':
      return { ...c, inn: str('inn'), kpp: str('kpp'), legalTitle: str('legalTitle'), companyType: en('companyType') };
    case 'counterparty':
      return {
        ...c,
        created: { kind: 'date', get: (e: Entity) => e.createdMs },
        inn: str('inn'),
        kpp: str('kpp'),
        email: str('email'),
        phone: str('phone'),
        legalTitle: str('legalTitle'),
        companyType: en('companyType'),
        syncId: { kind: 'uuid', get: (e: Entity) => e.f.syncId },
      };
    case 'customerorder':
    case 'purchaseorder':
      return {
        ...c,
        created: { kind: 'date', get: (e: Entity) => e.createdMs },
        moment: dateF('moment'),
        sum: num('sum'),
        applicable: bool('applicable'),
        agent: refF('agent', 'counterparty'),
        organization: refF('organization', 'organization'),
        store: refF('store', 'store'),
        state: { kind: 'ref', get: (e: Entity) => (isRef(e.f.state) ? e.f.state.$ref.id : undefined) },
        'state.name': {
          kind: 'string',
          get: (e: Entity) => {
            if (!isRef(e.f.state)) return undefined;
            const id = e.f.state.$ref.id;
            return account.states[type].find((s) => s.id === id)?.name;
          },
        },
        syncId: { kind: 'uuid', get: (e: Entity) => e.f.syncId },
      };
    case 'demand':
      return {
        ...c,
        created: { kind: 'date', get: (e: Entity) => e.createdMs },
        moment: dateF('moment'),
        applicable: bool('applicable'),
        agent: refF('agent', 'counterparty'),
        organization: refF('organization', 'organization'),
        store: refF('store', 'store'),
        customerOrder: refF('customerOrder', 'customerorder'),
      };
    case 'webhook':
      return {
        id: c.id as FieldSpec,
        url: str('url'),
        entityType: str('entityType'),
        action: en('action'),
        enabled: bool('enabled'),
      };
    case 'webhookstock':
      return { id: c.id as FieldSpec, url: str('url'), enabled: bool('enabled'), reportType: en('reportType') };
  }
}

/** Types whose list hides archived rows unless `archived` is filtered. */
export const ARCHIVABLE = new Set<EntityType>(['product', 'variant', 'productfolder', 'store', 'organization', 'counterparty']);

const words = (s: string): string[] => s.toLowerCase().split(/[\s,.;:/()-]+/u).filter(Boolean);

/**
 * `search`. Product: every word of the query must be a prefix of a word of name, code or
 * article, or the whole query must occur in code or article. Counterparty: substring of name,
 * code, legalTitle, email, phone, inn. Others: substring of name.
 */
export function searchPredicate(type: EntityType, query: string): (e: Entity) => boolean {
  const q = query.trim().toLowerCase();
  if (!q) return () => true;
  if (type === 'product' || type === 'variant') {
    const qw = words(q);
    return (e) => {
      const name = String(e.f.name ?? '');
      const code = String(e.f.code ?? '');
      const article = String(e.f.article ?? '');
      if (code.toLowerCase().includes(q) || article.toLowerCase().includes(q)) return true;
      const hay = [...words(name), ...words(code), ...words(article)];
      return qw.every((w) => hay.some((h) => h.startsWith(w)));
    };
  }
  if (type === 'counterparty') {
    return (e) =>
      ['name', 'code', 'legalTitle', 'email', 'phone', 'inn', 'externalCode'].some((k) => String(e.f[k] ?? '').toLowerCase().includes(q));
  }
  return (e) => String(e.f.name ?? '').toLowerCase().includes(q);
}
