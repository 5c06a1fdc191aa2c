/** @module moysklad/schemas/stock — rows of the stock reports (§5). */
import { z } from 'zod';
import { metaSchema, refSchema } from './meta.js';

/** `/report/stock/all` row. Prices in kopecks; quantity = stock − reserve + inTransit. */
export const stockAllRowSchema = z.looseObject({
  meta: metaSchema,
  stock: z.number(),
  reserve: z.number().optional(),
  inTransit: z.number().optional(),
  quantity: z.number(),
  name: z.string(),
  code: z.string().optional(),
  article: z.string().optional(),
  externalCode: z.string().optional(),
  price: z.number().optional(),
  salePrice: z.number().optional(),
  folder: z.looseObject({ meta: metaSchema.optional(), name: z.string().optional(), pathName: z.string().optional() }).optional(),
});
export type MsStockAllRow = z.infer<typeof stockAllRowSchema>;

/** `/report/stock/bystore` row: one entry per store of the account. */
export const stockByStoreRowSchema = z.looseObject({
  meta: metaSchema,
  stockByStore: z.array(
    z.looseObject({ meta: refSchema.shape.meta, name: z.string().optional(), stock: z.number(), reserve: z.number().optional(), inTransit: z.number().optional() }),
  ),
});
export type MsStockByStoreRow = z.infer<typeof stockByStoreRowSchema>;

export const stockTypes = ['stock', 'freeStock', 'quantity', 'reserve', 'inTransit'] as const;
export type StockType = (typeof stockTypes)[number];

/** `/report/stock/{all|bystore}/current` row: the value sits under the stockType's name. */
export const stockCurrentRowSchema = z.looseObject({
  assortmentId: z.string(),
  storeId: z.string().nullable().optional(),
});
export const stockCurrentRowsSchema = z.array(stockCurrentRowSchema);
export type MsStockCurrentRaw = z.infer<typeof stockCurrentRowSchema>;

/** A normalised current-stock row: `value` is the figure of the requested stockType (null while recalculating). */
export interface StockCurrentRow {
  assortmentId: string;
  /** null for reserves/in-transit not tied to a store; undefined for the `all` report. */
  storeId: string | null | undefined;
  value: number | null;
}
