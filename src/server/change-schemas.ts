/**
 * @module change-schemas
 * The zod schemas of the change feeds (E1 catalog, E2 price-list rows): routes validate with them
 * and the OpenAPI document is generated from them.
 */
import { z } from 'zod';
import { TOMBSTONE_REASONS } from '../domain/catalog-changes.js';
import { Product, QueryId } from './api-schemas.js';

export const ChangesQuery = z.object({
  after: z
    .string()
    .regex(/^(0|[1-9][0-9]{0,15})$/, 'a cursor returned as nextCursor (a decimal number), or 0')
    .optional()
    .meta({ description: 'The `nextCursor` of the previous page; omit or 0 to read from the start (the first pass returns every item once)' }),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
});

export const CatalogChangesQuery = ChangesQuery.extend({
  integrationId: QueryId.optional().meta({ description: "C5: the catalog of this integration (region): its account's products, out of its root folder = not_synced" }),
});

export const TombstoneReason = z.enum(TOMBSTONE_REASONS).meta({
  id: 'TombstoneReason',
  description: 'deleted — deleted in MoySklad; archived — archived there; not_synced — no longer synced (a duplicate, a card that cannot be synced, or outside the root folder)',
});

export const CatalogChange = z
  .object({
    seq: z.number().int().meta({ description: 'The change number; every number appears at most once, in increasing order' }),
    op: z.enum(['upsert', 'tombstone']),
    productId: z.number().int(),
    msId: z.string(),
    reason: TombstoneReason.nullable().meta({ description: 'Why the product left the catalog (tombstones only)' }),
    product: Product.nullable().meta({ description: 'The product as it is now (upserts only)' }),
  })
  .meta({ id: 'CatalogChange' });

export const PriceListRowChange = z
  .object({
    seq: z.number().int(),
    op: z.enum(['upsert', 'tombstone']).meta({ description: 'tombstone: the product left the price list (the row carries its last published values)' }),
    msProductId: z.string(),
    productId: z.number().int().nullable(),
    brand: z.string(),
    article: z.string(),
    name: z.string(),
    quantity: z.number(),
    priceKopecks: z.number().int().nullable().meta({ description: 'Kopecks; null = published without a price (C3)' }),
    changedAt: z.string(),
  })
  .meta({ id: 'PriceListRowChange' });

export const ChangePage = <T extends z.ZodType>(item: T, id: string) =>
  z
    .object({
      items: z.array(item),
      nextCursor: z.string().meta({ description: 'Pass as `after` next time (equal to `after` when nothing changed)' }),
      hasMore: z.boolean().meta({ description: 'More changes follow: read again at once' }),
    })
    .meta({ id });
