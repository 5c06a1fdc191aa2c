/**
 * @module webhook-payload
 * zod schemas of what MoySklad POSTs to a webhook URL (REFERENCE §8, §5): entity notifications
 * `{auditContext, events[]}` and stock notifications `{accountId, stockType, reportType, reportUrl}`.
 */
import { z } from 'zod';

export const webhookEventSchema = z.looseObject({
  meta: z.looseObject({ type: z.string().min(1), href: z.string().min(1) }),
  action: z.string().min(1),
  accountId: z.string().optional(),
  updatedFields: z.array(z.string()).optional(),
});
export type WebhookEvent = z.infer<typeof webhookEventSchema>;

export const entityNotificationSchema = z.looseObject({
  auditContext: z.looseObject({ uid: z.string().optional(), moment: z.string().optional() }).optional(),
  events: z.array(webhookEventSchema).min(1).max(10_000),
});
export type EntityNotification = z.infer<typeof entityNotificationSchema>;

export const stockNotificationSchema = z.looseObject({
  accountId: z.string().optional(),
  stockType: z.string(),
  reportType: z.enum(['all', 'bystore']),
  reportUrl: z.string().min(1),
});
export type StockNotification = z.infer<typeof stockNotificationSchema>;

export type WebhookNotification = { kind: 'entity'; body: EntityNotification } | { kind: 'stock'; body: StockNotification };

/** Parses a notification body; undefined when it is neither kind. */
export function parseNotification(body: unknown): WebhookNotification | undefined {
  const stock = stockNotificationSchema.safeParse(body);
  if (stock.success) return { kind: 'stock', body: stock.data };
  const entity = entityNotificationSchema.safeParse(body);
  if (entity.success) return { kind: 'entity', body: entity.data };
  return undefined;
}

/** Store ids a stock notification's `reportUrl` is limited to (`filter=storeId=a,b`), or undefined (all stores). */
export function storeIdsOf(n: StockNotification): string[] | undefined {
  let filter: string | null;
  try {
    filter = new URL(n.reportUrl).searchParams.get('filter');
  } catch {
    return undefined;
  }
  if (!filter) return undefined;
  for (const part of filter.split(';')) {
    const m = /^storeId=(.+)$/.exec(part.trim());
    if (m?.[1]) return m[1].split(',').map((s) => s.trim()).filter(Boolean);
  }
  return undefined;
}
