/** @module moysklad/schemas/price — sale/buy prices; `value` is in kopecks (a Float on the wire). */
import { z } from 'zod';
import { refSchema } from './meta.js';

export const salePriceSchema = z.looseObject({
  value: z.number(),
  currency: refSchema.optional(),
  priceType: z
    .looseObject({ meta: refSchema.shape.meta.optional(), id: z.string().optional(), name: z.string().optional(), externalCode: z.string().optional() })
    .optional(),
});
export type MsSalePrice = z.infer<typeof salePriceSchema>;

export const priceSchema = z.looseObject({ value: z.number(), currency: refSchema.optional() });
export type MsPrice = z.infer<typeof priceSchema>;
