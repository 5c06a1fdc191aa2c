/** @module moysklad/schemas/variant — modifications of a product (§4.5). */
import { z } from 'zod';
import { metaArraySchema, metaSchema, refSchema } from './meta.js';
import { priceSchema, salePriceSchema } from './price.js';
import { imageSchema } from './image.js';

export const variantSchema = z.looseObject({
  meta: metaSchema,
  id: z.string(),
  name: z.string(),
  code: z.string().optional(),
  article: z.string().optional(),
  externalCode: z.string().optional(),
  archived: z.boolean().optional(),
  product: refSchema,
  characteristics: z.array(z.looseObject({ id: z.string().optional(), name: z.string(), value: z.string() })).optional(),
  salePrices: z.array(salePriceSchema).optional(),
  buyPrice: priceSchema.optional(),
  images: metaArraySchema(imageSchema).optional(),
  updated: z.string().optional(),
});
export type MsVariant = z.infer<typeof variantSchema>;
