/** @module moysklad/schemas/store — warehouses (§4.1). */
import { z } from 'zod';
import { metaSchema, refSchema } from './meta.js';

export const storeSchema = z.looseObject({
  meta: metaSchema,
  id: z.string(),
  name: z.string(),
  code: z.string().optional(),
  externalCode: z.string().optional(),
  description: z.string().optional(),
  archived: z.boolean().optional(),
  address: z.string().optional(),
  parent: refSchema.optional(),
  pathName: z.string().optional(),
  updated: z.string().optional(),
});
export type MsStore = z.infer<typeof storeSchema>;
