/**
 * @module input-rules
 * Per entity type: the writable fields of the API with their kinds (string lengths, numbers,
 * references and the types they may name, dates, enums) and the required fields (3000).
 */

import type { EntityType } from '../state/types.js';

type Kind = 'string' | 'number' | 'bool' | 'ref' | 'date' | 'enum' | 'any' | 'stringArray';
export interface FieldRule {
  kind: Kind;
  refTypes?: string[];
  values?: string[];
  max?: number;
}

const S: FieldRule = { kind: 'string', max: 255 };
const TEXT: FieldRule = { kind: 'string', max: 4096 };
const N: FieldRule = { kind: 'number' };
const B: FieldRule = { kind: 'bool' };
const R = (...refTypes: string[]): FieldRule => ({ kind: 'ref', refTypes });
const E = (...values: string[]): FieldRule => ({ kind: 'enum', values });

const COMPANY_TYPES = ['legal', 'entrepreneur', 'individual', 'legalUZ', 'entrepreneurUZ', 'individualUZ', 'legalKZ', 'entrepreneurKZ', 'individualKZ'];

const base: Record<string, FieldRule> = { name: S, code: S, externalCode: S, description: TEXT, shared: B };

export const RULES: Record<EntityType, Record<string, FieldRule>> = {
  organization: { ...base, archived: B, companyType: E(...COMPANY_TYPES), inn: S, kpp: S, ogrn: S, okpo: S, legalTitle: TEXT, legalAddress: TEXT, actualAddress: TEXT, email: S, phone: S },
  store: { ...base, archived: B, address: TEXT, parent: R('store') },
  productfolder: { ...base, productFolder: R('productfolder'), vat: N, vatEnabled: B, useParentVat: B },
  product: {
    ...base,
    archived: B,
    article: S,
    productFolder: R('productfolder'),
    uom: R('uom'),
    supplier: R('counterparty'),
    country: R('country'),
    salePrices: { kind: 'any' },
    buyPrice: { kind: 'any' },
    minPrice: { kind: 'any' },
    barcodes: { kind: 'any' },
    vat: N,
    vatEnabled: B,
    useParentVat: B,
    weight: N,
    volume: N,
    minimumBalance: N,
    paymentItemType: S,
    trackingType: S,
    syncId: S,
    images: { kind: 'any' },
    attributes: { kind: 'any' },
  },
  variant: {},
  counterparty: {
    ...base,
    archived: B,
    companyType: E(...COMPANY_TYPES),
    inn: S,
    kpp: S,
    ogrn: S,
    ogrnip: S,
    okpo: S,
    legalTitle: TEXT,
    legalAddress: TEXT,
    actualAddress: TEXT,
    legalFirstName: S,
    legalLastName: S,
    legalMiddleName: S,
    email: S,
    phone: S,
    fax: S,
    tags: { kind: 'stringArray' },
    discountCardNumber: S,
    syncId: S,
    priceType: { kind: 'any' },
  },
  customerorder: {
    name: S,
    code: S,
    externalCode: S,
    description: TEXT,
    shared: B,
    moment: { kind: 'date' },
    deliveryPlannedMoment: { kind: 'date' },
    applicable: B,
    vatEnabled: B,
    vatIncluded: B,
    organization: R('organization'),
    agent: R('counterparty', 'organization'),
    store: R('store'),
    state: R('state'),
    shipmentAddress: TEXT,
    syncId: S,
    positions: { kind: 'any' },
    rate: { kind: 'any' },
    project: { kind: 'any' },
    contract: { kind: 'any' },
    salesChannel: { kind: 'any' },
    attributes: { kind: 'any' },
  },
  purchaseorder: {},
  demand: {},
  webhook: { url: { kind: 'string', max: 100000 }, action: E('CREATE', 'UPDATE', 'DELETE', 'PROCESSED'), entityType: S, diffType: E('NONE', 'FIELDS'), enabled: B },
  webhookstock: { url: { kind: 'string', max: 100000 }, stockType: E('stock'), reportType: E('all', 'bystore'), enabled: B },
};
RULES.purchaseorder = { ...RULES.customerorder, agent: R('counterparty', 'organization') };
delete RULES.purchaseorder.shipmentAddress;

export const REQUIRED: Record<EntityType, string[]> = {
  organization: ['name'],
  store: ['name'],
  productfolder: ['name'],
  product: ['name'],
  variant: ['name'],
  counterparty: ['name'],
  customerorder: ['organization', 'agent'],
  purchaseorder: ['organization', 'agent'],
  demand: [],
  webhook: ['url', 'action', 'entityType'],
  webhookstock: ['url', 'stockType', 'reportType'],
};
