/** @module moysklad/schemas/image — product images (§4.4); download through `meta.downloadHref`. */
import { z } from 'zod';
import { metaSchema } from './meta.js';

export const imageSchema = z.looseObject({
  meta: metaSchema.extend({ downloadHref: z.string() }),
  title: z.string().optional(),
  filename: z.string(),
  size: z.number().optional(),
  updated: z.string().optional(),
  miniature: z.looseObject({ href: z.string().optional(), downloadHref: z.string().optional() }).optional(),
  tiny: z.looseObject({ href: z.string().optional() }).optional(),
});
export type MsImage = z.infer<typeof imageSchema>;
