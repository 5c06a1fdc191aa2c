/** @module moysklad/schemas/product — goods (§4.3). Money in kopecks. */
import { z } from 'zod';
import { metaArraySchema, metaSchema, refSchema } from './meta.js';
import { priceSchema, salePriceSchema } from './price.js';
import { imageSchema } from './image.js';

export const productSchema = z.looseObject({
  meta: metaSchema,
  id: z.string(),
  name: z.string(),
  code: z.string().optional(),
  article: z.string().optional(),
  description: z.string().optional(),
  externalCode: z.string().optional(),
  syncId: z.string().optional(),
  archived: z.boolean().optional(),
  pathName: z.string().optional(),
  productFolder: refSchema.optional(),
  updated: z.string(),
  salePrices: z.array(salePriceSchema).optional(),
  buyPrice: priceSchema.optional(),
  images: metaArraySchema(imageSchema).optional(),
  barcodes: z.array(z.record(z.string(), z.string())).optional(),
  variantsCount: z.number().optional(),
});
export type MsProduct = z.infer<typeof productSchema>;

/** The body of a product create (only `name` is required by MoySklad). */
export interface MsProductCreate {
  name: string;
  code?: string;
  article?: string;
  description?: string;
  externalCode?: string;
  syncId?: string;
  productFolder?: { meta: { href: string; type: string; mediaType?: string } };
  salePrices?: Array<{ value: number; priceType?: unknown; currency?: unknown }>;
  images?: Array<{ filename: string; content: string }>;
  [field: string]: unknown;
}
