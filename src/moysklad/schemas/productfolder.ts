/** @module moysklad/schemas/productfolder — product groups (§4.2); `pathName` is the parent path. */
import { z } from 'zod';
import { metaSchema, refSchema } from './meta.js';

export const productFolderSchema = z.looseObject({
  meta: metaSchema,
  id: z.string(),
  name: z.string(),
  code: z.string().optional(),
  externalCode: z.string().optional(),
  description: z.string().optional(),
  archived: z.boolean().optional(),
  pathName: z.string().optional(),
  productFolder: refSchema.optional(),
  updated: z.string().optional(),
});
export type MsProductFolder = z.infer<typeof productFolderSchema>;
