/**
 * @module platform-schemas
 * The zod schemas of the platform-side operations (E3 webhook subscriptions and deliveries, E4 the
 * data-quality report, E5 price-list feeds): routes validate with them and the OpenAPI document is
 * generated from them, like `api-schemas.ts`.
 */
import { z } from 'zod';
import { PLATFORM_EVENT_TYPES } from '../domain/platform-events.js';
import { DATA_QUALITY_REASONS } from '../sync/nomenclature/product-mapper.js';
import { IdParam, Paging, QueryId } from './api-schemas.js';
import { nonBlank, optionalCleanText } from './input-text.js';

// ── E3 webhooks ────────────────────────────────────────────────────────────────────────────
export const WebhookEventType = z.enum(PLATFORM_EVENT_TYPES).meta({
  id: 'WebhookEventType',
  description:
    'order.exported — the order reached MoySklad (created or updated there); order.failed — its export stopped and needs a person; ' +
    'order.position_deleted — a rejected/withdrawn position was deleted from the MoySklad order; order.status_changed — MoySklad state or shipments changed; ' +
    'product.changed / product.deleted — catalog changes; price_list.updated — a price list got new rows; balance.updated — a client balance read from MoySklad changed',
});

const webhookUrl = nonBlank(2000).refine((v) => {
    try {
      const u = new URL(v);
      return (u.protocol === 'https:' || u.protocol === 'http:') && u.username === '' && u.password === '' && u.hostname !== '';
    } catch {
      return false;
    }
  }, 'an http(s) URL without user:password@');

const description = optionalCleanText(500);

const events = z.array(WebhookEventType).min(1, 'choose at least one event type').max(PLATFORM_EVENT_TYPES.length * 2);

export const WebhookSubscription = z
  .object({
    id: z.number().int(),
    url: z.string(),
    description: z.string().nullable(),
    events: z.array(WebhookEventType),
    active: z.boolean(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'WebhookSubscription' });
export const WebhookSubscriptionCreate = z
  .object({ url: webhookUrl, events, description, active: z.boolean().optional() })
  .strict()
  .meta({ id: 'WebhookSubscriptionCreate' });
export const WebhookSubscriptionUpdate = WebhookSubscriptionCreate.partial().strict().meta({ id: 'WebhookSubscriptionUpdate' });
export const WebhookSubscriptionCreated = WebhookSubscription.extend({
  secret: z.string().meta({ description: 'The signing secret (whsec_…). Shown only in this answer: store it now.' }),
}).meta({ id: 'WebhookSubscriptionCreated' });
export const WebhookSecretRotated = z
  .object({
    subscription: WebhookSubscription,
    secret: z.string().meta({ description: 'The new signing secret (whsec_…). Shown only in this answer.' }),
    previousSecretValidUntil: z.string().meta({ description: 'Until then every delivery carries a second signature made with the previous secret' }),
  })
  .meta({ id: 'WebhookSecretRotated' });
export const Deleted = z.object({ id: z.number().int(), deleted: z.literal(true) }).meta({ id: 'Deleted' });

export const DELIVERY_STATES = ['pending', 'running', 'delivered', 'failed'] as const;
export const WebhookDelivery = z
  .object({
    id: z.number().int(),
    subscriptionId: z.number().int(),
    messageId: z.string().meta({ description: 'The webhook-id header: the same on every attempt and resend' }),
    eventType: WebhookEventType,
    state: z.enum(DELIVERY_STATES),
    attempts: z.number().int(),
    nextAttemptAt: z.string().nullable(),
    deadlineAt: z.string().meta({ description: 'Retries stop (state failed) after this instant' }),
    lastAttemptAt: z.string().nullable(),
    lastStatus: z.number().int().nullable().meta({ description: 'HTTP status of the last answer; null when none came (timeout, unreachable)' }),
    lastError: z.string().nullable(),
    deliveredAt: z.string().nullable(),
    createdAt: z.string(),
  })
  .meta({ id: 'WebhookDelivery' });
export const DeliveryQuery = Paging.extend({ state: z.enum(DELIVERY_STATES).optional() });
export const DeliveryParams = z.object({ id: IdParam });

// ── E4 data-quality report ─────────────────────────────────────────────────────────────────
export const DataQualityReason = z.enum(DATA_QUALITY_REASONS).meta({ id: 'DataQualityReason' });
export const DataQualityIssue = z
  .object({
    id: z.number().int(),
    reason: DataQualityReason,
    reasonText: z.string().meta({ description: 'The reason in Russian, as the shop staff read it' }),
    message: z.string().meta({ description: 'Details (English, names the Code/Article or the other cards)' }),
    msId: z.string().meta({ description: 'The MoySklad id of the product or variant' }),
    msType: z.enum(['product', 'variant']),
    msUrl: z.string().meta({ description: "The card in MoySklad's web UI (https://online.moysklad.ru/app/#good/edit?id=… or #feature/edit?id=…)" }),
    msAccountId: z.number().int(),
    code: z.string().nullable(),
    article: z.string().nullable(),
    name: z.string().nullable(),
    detectedAt: z.string(),
  })
  .meta({ id: 'DataQualityIssue' });
const integrationScope = QueryId.optional().meta({ description: "Only what this integration (region) shows: its account's cards under its root folder / its region's price lists" });
export const DataQualityQuery = Paging.extend({ reason: DataQualityReason.optional(), integrationId: integrationScope });

export const PriceListIssueReason = z.enum(['no-price']).meta({ id: 'PriceListIssueReason', description: 'no-price — no value for the price list\'s price type (left out of the list, C3)' });
export const PriceListIssue = z
  .object({
    id: z.number().int(),
    priceListId: z.number().int(),
    reason: PriceListIssueReason,
    reasonText: z.string().meta({ description: 'The reason in Russian' }),
    msId: z.string(),
    msUrl: z.string().meta({ description: "The product's card in MoySklad's web UI" }),
    productId: z.number().int().nullable(),
    brand: z.string(),
    article: z.string(),
    name: z.string(),
    detectedAt: z.string(),
  })
  .meta({ id: 'PriceListIssue' });
export const PriceListIssueQuery = Paging.extend({
  reason: PriceListIssueReason.optional(),
  priceListId: QueryId.optional(),
  integrationId: integrationScope,
});

// ── E5 price-list feeds ────────────────────────────────────────────────────────────────────
export const PriceListFeed = z
  .object({
    priceListId: z.number().int(),
    token: z.string().meta({ description: 'The secret in the feed URLs. Shown only in this answer.' }),
    csvUrl: z.string(),
    jsonUrl: z.string(),
    createdAt: z.string(),
  })
  .meta({ id: 'PriceListFeed' });
export const FeedParams = z.object({ token: z.string().regex(/^msf_[A-Za-z0-9_-]{43}$/) });
