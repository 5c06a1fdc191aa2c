/**
 * @module types
 * The emulator's internal entity model. Field values follow the API JSON, except references,
 * which are stored as `{ $ref: { type, id } }` and turned into `{meta:{href,…}}` on output.
 */

export const ENTITY_TYPES = [
  'organization',
  'store',
  'productfolder',
  'product',
  'variant',
  'counterparty',
  'customerorder',
  'purchaseorder',
  /** E7 shipments (отгрузки), created by the control helpers (`shipOrder`); read-only over HTTP. */
  'demand',
  'webhook',
  'webhookstock',
] as const;
export type EntityType = (typeof ENTITY_TYPES)[number];
export const isEntityType = (t: string): t is EntityType => (ENTITY_TYPES as readonly string[]).includes(t);

export interface RefTarget {
  type: string;
  id: string;
  /** For positions and states: the owning document id or type. */
  parent?: string;
}
export interface Ref {
  $ref: RefTarget;
}
export const isRef = (v: unknown): v is Ref => typeof v === 'object' && v !== null && '$ref' in v;
export const ref = (type: string, id: string, parent?: string): Ref =>
  parent === undefined ? { $ref: { type, id } } : { $ref: { type, id, parent } };

export type Fields = Record<string, unknown>;

export interface Entity {
  id: string;
  type: EntityType;
  createdMs: number;
  updatedMs: number;
  /** API fields (without meta/id/accountId/updated/created); refs as `Ref`. */
  f: Fields;
}

export interface ImageRec {
  id: string;
  fileId: string;
  title: string;
  filename: string;
  size: number;
  updatedMs: number;
}

export interface Position {
  id: string;
  /** API fields of the position; `assortment` is a Ref. */
  f: Fields;
}

export interface StockCell {
  stock: number;
  reserve: number;
  inTransit: number;
  changedMs: number;
}

export interface ChangeEvent {
  type: EntityType;
  id: string;
  action: 'CREATE' | 'UPDATE' | 'DELETE';
  updatedFields?: string[];
}

export interface StoredFile {
  bytes: Uint8Array;
  mediaType: string;
  filename: string;
}
