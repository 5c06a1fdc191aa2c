/** @module moysklad/schemas/assortment — one row of `/entity/assortment` (product, variant, service, bundle…). */
import { z } from 'zod';
import { metaSchema, refSchema } from './meta.js';
import { salePriceSchema } from './price.js';

export const assortmentRowSchema = z.looseObject({
  meta: metaSchema,
  id: z.string(),
  name: z.string(),
  code: z.string().optional(),
  article: z.string().optional(),
  externalCode: z.string().optional(),
  archived: z.boolean().optional(),
  pathName: z.string().optional(),
  productFolder: refSchema.optional(),
  product: refSchema.optional(),
  salePrices: z.array(salePriceSchema).optional(),
  stock: z.number().optional(),
  reserve: z.number().optional(),
  inTransit: z.number().optional(),
  quantity: z.number().optional(),
  updated: z.string().optional(),
});
export type MsAssortmentRow = z.infer<typeof assortmentRowSchema>;
