/**
 * @module schema/platform
 * Platform webhooks, feeds and change sequences (E1–E5).
 */
import type { ColumnType } from 'kysely';
import type { IsoTime, Flag, JsonText, KopecksColumn, Id, FlagWithDefault } from './columns.js';

/** E3 (0023): a platform webhook subscription. */
export interface PlatformWebhooksTable {
  id: Id;
  url: string;
  description: string | null;
  /** The signing secret (`whsec_…`) encrypted by `SecretBox`. */
  secretEnc: string;
  /** After a rotation: the previous secret, still signed with until `previousSecretUntil`. */
  previousSecretEnc: string | null;
  previousSecretUntil: IsoTime | null;
  active: FlagWithDefault;
  createdAt: IsoTime;
  updatedAt: IsoTime;
}

/** E3 (0023): the event types a subscription receives. */
export interface PlatformWebhookEventTypesTable {
  webhookId: number;
  eventType: string;
}

/** E3 (0023): one event as sent: `webhook-id` and the exact signed body. */
export interface PlatformWebhookMessagesTable {
  id: Id;
  messageId: string;
  eventType: string;
  body: JsonText;
  createdAt: IsoTime;
}

export type WebhookDeliveryState = 'pending' | 'running' | 'delivered' | 'failed';

/** E3 (0023): one message to one subscription — the delivery outbox and log. */
export interface PlatformWebhookDeliveriesTable {
  id: Id;
  messageId: number;
  webhookId: number;
  state: ColumnType<WebhookDeliveryState, WebhookDeliveryState | undefined, WebhookDeliveryState>;
  attempts: ColumnType<number, number | undefined, number>;
  nextAttemptAt: IsoTime;
  /** End of the retry window (24 h after the delivery was written or resent). */
  deadlineAt: IsoTime;
  lastAttemptAt: IsoTime | null;
  /** HTTP status of the last attempt; null when no answer came (unreachable, timeout). */
  lastStatus: number | null;
  lastError: string | null;
  deliveredAt: IsoTime | null;
  createdAt: IsoTime;
  updatedAt: IsoTime;
}

/** E5 (0025): a price list's secret feed token (hashed). */
export interface PriceListFeedsTable {
  priceListId: number;
  tokenHash: string;
  prefix: string;
  createdAt: IsoTime;
  lastUsedAt: IsoTime | null;
}

/** E1 (0034): the latest change of each product in the catalog's change sequence (written by triggers). */
export interface CatalogChangesTable {
  productId: number;
  seq: number;
}

/** E2 (0035): each price-list row as last published, with the number of its latest change in the list. */
export interface PriceListRowChangesTable {
  priceListId: number;
  msProductId: string;
  seq: number;
  /** 1 = the product left the list (a tombstone; the other columns are its last published values). */
  removed: Flag;
  productId: number | null;
  brand: string;
  article: string;
  name: string;
  quantity: number;
  price: KopecksColumn | null;
  changedAt: IsoTime;
}
