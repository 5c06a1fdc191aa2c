/**
 * @module moysklad/schemas/meta
 * The `meta` object of entities and references, and the reference wrapper `{meta}`.
 */
import { z } from 'zod';

export const metaSchema = z.looseObject({
  href: z.string(),
  type: z.string(),
  mediaType: z.string().optional(),
  metadataHref: z.string().optional(),
  uuidHref: z.string().optional(),
  downloadHref: z.string().optional(),
  size: z.number().optional(),
  limit: z.number().optional(),
  offset: z.number().optional(),
});
export type MsMeta = z.infer<typeof metaSchema>;

/** A reference to another object: `{"meta": {...}}` (extra fields appear when expanded). */
export const refSchema = z.looseObject({ meta: metaSchema });
export type MsRef = z.infer<typeof refSchema>;

/** A nested collection (MetaArray) such as `images` or `positions`; `rows` only when expanded. */
export const metaArraySchema = <T extends z.ZodType>(row: T) =>
  z.looseObject({ meta: metaSchema, rows: z.array(row).optional() });

/** The id at the end of a MoySklad href (`…/entity/product/<id>?expand=…` → `<id>`). */
export function idFromHref(href: string): string {
  const path = href.split('?')[0] ?? href;
  const parts = path.split('/');
  return parts[parts.length - 1] ?? '';
}

/** Builds a reference `{meta:{href,type,mediaType}}` for writing into request bodies. */
export function ref(baseUrl: string, type: string, id: string, entityPath = `entity/${type}`): { meta: { href: string; type: string; mediaType: 'application/json' } } {
  return { meta: { href: `${baseUrl.replace(/\/+$/, '')}/${entityPath}/${id}`, type, mediaType: 'application/json' } };
}
