/** @module moysklad/schemas/order — customerorder / purchaseorder and their positions (§7). Money in kopecks. */
import { z } from 'zod';
import { metaArraySchema, metaSchema, refSchema } from './meta.js';

export const positionSchema = z.looseObject({
  meta: metaSchema,
  id: z.string(),
  quantity: z.number(),
  price: z.number(),
  discount: z.number().optional(),
  vat: z.number().optional(),
  vatEnabled: z.boolean().optional(),
  assortment: refSchema,
  reserve: z.number().optional(),
  shipped: z.number().optional(),
  inTransit: z.number().optional(),
});
export type MsPosition = z.infer<typeof positionSchema>;

const orderShape = {
  meta: metaSchema,
  id: z.string(),
  name: z.string(),
  externalCode: z.string().optional(),
  syncId: z.string().optional(),
  description: z.string().optional(),
  moment: z.string().optional(),
  created: z.string().optional(),
  updated: z.string().optional(),
  applicable: z.boolean().optional(),
  organization: refSchema,
  agent: refSchema,
  store: refSchema.optional(),
  state: refSchema.optional(),
  sum: z.number(),
  vatSum: z.number().optional(),
  payedSum: z.number().optional(),
  shippedSum: z.number().optional(),
  positions: metaArraySchema(positionSchema).optional(),
};

export const customerOrderSchema = z.looseObject({ ...orderShape, reservedSum: z.number().optional() });
export type MsCustomerOrder = z.infer<typeof customerOrderSchema>;

export const purchaseOrderSchema = z.looseObject({ ...orderShape });
export type MsPurchaseOrder = z.infer<typeof purchaseOrderSchema>;

export interface MsPositionCreate {
  assortment: { meta: { href: string; type: string; mediaType?: string } };
  quantity: number;
  /** Kopecks. */
  price: number;
  discount?: number;
  vat?: number;
  reserve?: number;
  [field: string]: unknown;
}

export interface MsOrderCreate {
  organization: { meta: { href: string; type: string; mediaType?: string } };
  agent: { meta: { href: string; type: string; mediaType?: string } };
  store?: { meta: { href: string; type: string; mediaType?: string } };
  name?: string;
  description?: string;
  externalCode?: string;
  /** Idempotency key: re-sending the create returns the order already created (makes retries safe). */
  syncId?: string;
  positions?: MsPositionCreate[];
  [field: string]: unknown;
}
