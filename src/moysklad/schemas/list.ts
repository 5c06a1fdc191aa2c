/**
 * @module moysklad/schemas/list
 * The list envelope `{context, meta{href,type,mediaType,size,limit,offset,nextHref?,previousHref?}, rows}`.
 */
import { z } from 'zod';

export const listMetaSchema = z.looseObject({
  href: z.string(),
  type: z.string().optional(),
  mediaType: z.string().optional(),
  size: z.number().int().nonnegative(),
  limit: z.number().int().nonnegative(),
  offset: z.number().int().nonnegative(),
  nextHref: z.string().optional(),
  previousHref: z.string().optional(),
});
export type MsListMeta = z.infer<typeof listMetaSchema>;

/** The envelope with rows validated one by one by `rowSchema` (rows are checked by the caller). */
export const listEnvelopeSchema = z.looseObject({
  context: z.unknown().optional(),
  meta: listMetaSchema,
  rows: z.array(z.unknown()),
});
export type MsListEnvelope = z.infer<typeof listEnvelopeSchema>;

export const listOf = <T extends z.ZodType>(row: T) =>
  z.looseObject({ context: z.unknown().optional(), meta: listMetaSchema, rows: z.array(row) });
