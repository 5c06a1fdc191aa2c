/** @module moysklad/schemas/webhook — entity webhooks and stock webhooks (§8, §5). */
import { z } from 'zod';
import { metaSchema } from './meta.js';

export const webhookSchema = z.looseObject({
  meta: metaSchema,
  id: z.string(),
  url: z.string(),
  action: z.string(),
  entityType: z.string(),
  diffType: z.string().optional(),
  method: z.string().optional(),
  enabled: z.boolean(),
});
export type MsWebhook = z.infer<typeof webhookSchema>;

export const webhookStockSchema = z.looseObject({
  meta: metaSchema,
  id: z.string(),
  url: z.string(),
  stockType: z.string(),
  reportType: z.string(),
  enabled: z.boolean(),
});
export type MsWebhookStock = z.infer<typeof webhookStockSchema>;

export interface MsWebhookCreate {
  url: string;
  action: 'CREATE' | 'UPDATE' | 'DELETE';
  entityType: string;
  diffType?: 'NONE' | 'FIELDS';
}
