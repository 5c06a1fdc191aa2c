/**
 * @module webhooks.routes
 * E3 the platform's webhook subscriptions (CRUD, secret rotation) and their delivery log with
 * resend. The signing secret is in the answer of the create and of the rotation only.
 */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { SecretBox } from '../../core/secret-box.js';
import { PlatformWebhookService } from '../../app/platform-webhooks.js';
import type { DeliveryView, WebhookSubscription as Subscription } from '../../store/repositories/platform-webhook-repository.js';
import type { ApiDeps } from '../api-deps.js';
import { defineOperation, type ApiOperation } from '../api-router.js';
import { IdParams, Page } from '../api-schemas.js';
import {
  Deleted,
  DeliveryParams,
  DeliveryQuery,
  WebhookDelivery,
  WebhookSecretRotated,
  WebhookSubscription,
  WebhookSubscriptionCreate,
  WebhookSubscriptionCreated,
  WebhookSubscriptionUpdate,
} from '../platform-schemas.js';

const subscriptionToApi = (s: Subscription): z.infer<typeof WebhookSubscription> => ({ ...s });

export const deliveryToApi = (d: DeliveryView): z.infer<typeof WebhookDelivery> => ({
  id: d.id,
  subscriptionId: d.webhookId,
  messageId: d.messageId,
  eventType: d.eventType,
  state: d.state,
  attempts: d.attempts,
  nextAttemptAt: d.nextAttemptAt,
  deadlineAt: d.deadlineAt,
  lastAttemptAt: d.lastAttemptAt,
  lastStatus: d.lastStatus,
  lastError: d.lastError,
  deliveredAt: d.deliveredAt,
  createdAt: d.createdAt,
});

/** The service behind the routes; without the process's SecretBox (tests) a random key is used. */
export function webhookServiceOf(deps: ApiDeps): PlatformWebhookService {
  return new PlatformWebhookService({ db: deps.db, clock: deps.clock, secretBox: deps.secretBox ?? new SecretBox(randomBytes(32)) });
}

export function webhookOperations(deps: ApiDeps): ApiOperation[] {
  const service = webhookServiceOf(deps);
  const tag = 'webhooks';
  return [
    defineOperation({
      method: 'get', path: '/webhook-subscriptions', operationId: 'listWebhookSubscriptions', tag, summary: "The platform's webhook subscriptions (E3)",
      response: z.object({ items: z.array(WebhookSubscription) }),
      handler: async () => ({ items: (await service.list()).map(subscriptionToApi) }),
    }),
    defineOperation({
      method: 'post', path: '/webhook-subscriptions', operationId: 'createWebhookSubscription', tag,
      summary: 'Subscribe a URL to event types; the answer holds the signing secret (whsec_…) once',
      body: WebhookSubscriptionCreate, response: WebhookSubscriptionCreated, successStatus: 201,
      handler: async ({ body }) => {
        const { subscription, secret } = await service.create({ url: body.url, events: body.events, description: body.description ?? null, active: body.active ?? true });
        return { ...subscriptionToApi(subscription), secret };
      },
    }),
    defineOperation({
      method: 'get', path: '/webhook-subscriptions/:id', operationId: 'getWebhookSubscription', tag, summary: 'Read a webhook subscription (never its secret)',
      params: IdParams, response: WebhookSubscription, errors: ['not_found'],
      handler: async ({ params }) => subscriptionToApi(await service.get(params.id)),
    }),
    defineOperation({
      method: 'patch', path: '/webhook-subscriptions/:id', operationId: 'updateWebhookSubscription', tag,
      summary: 'Change the URL, event types, description, or pause/resume (active); deliveries of a paused subscription wait',
      params: IdParams, body: WebhookSubscriptionUpdate, response: WebhookSubscription, errors: ['not_found'],
      handler: async ({ params, body }) =>
        subscriptionToApi(
          await service.update(params.id, {
            ...(body.url !== undefined ? { url: body.url } : {}),
            ...(body.events !== undefined ? { events: body.events } : {}),
            ...(body.description !== undefined ? { description: body.description } : {}),
            ...(body.active !== undefined ? { active: body.active } : {}),
          }),
        ),
    }),
    defineOperation({
      method: 'delete', path: '/webhook-subscriptions/:id', operationId: 'deleteWebhookSubscription', tag, summary: 'Delete a subscription and its deliveries',
      params: IdParams, response: Deleted, errors: ['not_found'],
      handler: async ({ params }) => {
        await service.delete(params.id);
        return { id: params.id, deleted: true as const };
      },
    }),
    defineOperation({
      method: 'post', path: '/webhook-subscriptions/:id/rotate-secret', operationId: 'rotateWebhookSecret', tag,
      summary: 'A new signing secret (shown once); for 24 h deliveries are signed with both the new and the previous one',
      params: IdParams, response: WebhookSecretRotated, errors: ['not_found'],
      handler: async ({ params }) => {
        const r = await service.rotateSecret(params.id);
        return { subscription: subscriptionToApi(r.subscription), secret: r.secret, previousSecretValidUntil: r.previousValidUntil };
      },
    }),
    defineOperation({
      method: 'get', path: '/webhook-subscriptions/:id/deliveries', operationId: 'listWebhookDeliveries', tag,
      summary: "A subscription's delivery log, newest first; filter by state",
      params: IdParams, query: DeliveryQuery, response: Page(WebhookDelivery), errors: ['not_found'],
      handler: async ({ params, query }) => {
        await service.get(params.id);
        const { items, total } = await service.deliveries({ webhookId: params.id, ...(query.state ? { state: query.state } : {}), limit: query.limit, offset: query.offset });
        return { items: items.map(deliveryToApi), total, limit: query.limit, offset: query.offset };
      },
    }),
    defineOperation({
      method: 'post', path: '/webhook-deliveries/:id/resend', operationId: 'resendWebhookDelivery', tag,
      summary: 'Send a delivery again (same webhook-id and body), with a fresh 24-hour retry window',
      params: DeliveryParams, response: WebhookDelivery, errors: ['not_found'],
      handler: async ({ params }) => deliveryToApi(await service.resend(params.id)),
    }),
  ];
}
