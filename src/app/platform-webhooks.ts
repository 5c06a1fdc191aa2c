/**
 * @module platform-webhooks (use case)
 * E3 what the API and the admin panel do with the platform's webhook subscriptions: create one
 * (a new `whsec_…` secret, returned once, stored encrypted with the SecretBox because it is needed
 * to sign), change, delete, rotate the secret (returned once; the previous one keeps signing for
 * `PREVIOUS_SECRET_GRACE_MS` so the platform can switch without losing deliveries), read the
 * delivery log and resend a delivery.
 */
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Clock } from '../core/clock.js';
import { AppError, NotFoundError } from '../core/errors.js';
import type { SecretBox } from '../core/secret-box.js';
import { DEFAULT_DELIVERY_RETRY } from '../domain/platform-events.js';
import {
  PlatformWebhookRepository,
  type DeliveryQuery,
  type DeliveryView,
  type SubscriptionInput,
  type SubscriptionPatch,
  type WebhookSubscription,
} from '../store/repositories/platform-webhook-repository.js';
import type { Database } from '../store/schema.js';

/** After a rotation the previous secret still signs (a second signature) for 24 hours. */
export const PREVIOUS_SECRET_GRACE_MS = 24 * 3600_000;

/** A new signing secret: `whsec_` and 24 random bytes in base64 (what `standardwebhooks` reads). */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(24).toString('base64')}`;
}

export interface PlatformWebhookServiceDeps {
  db: Kysely<Database>;
  clock: Clock;
  /** Needed to create a subscription or rotate its secret (the secret is stored encrypted). */
  secretBox?: SecretBox;
}

export class PlatformWebhookService {
  readonly #repo: PlatformWebhookRepository;
  readonly #deps: PlatformWebhookServiceDeps;

  constructor(deps: PlatformWebhookServiceDeps) {
    this.#deps = deps;
    this.#repo = new PlatformWebhookRepository(deps.db, deps.clock);
  }

  #box(): SecretBox {
    if (!this.#deps.secretBox) throw new AppError('secret_box_missing', 'webhook secrets need the secret key (SecretBox), which this caller was not given');
    return this.#deps.secretBox;
  }

  list(): Promise<WebhookSubscription[]> {
    return this.#repo.list();
  }

  get(id: number): Promise<WebhookSubscription> {
    return this.#repo.get(id);
  }

  /** Creates a subscription; `secret` is returned here and never again. */
  async create(input: Omit<SubscriptionInput, 'secretEnc'>): Promise<{ subscription: WebhookSubscription; secret: string }> {
    const secret = newWebhookSecret();
    const subscription = await this.#repo.create({ ...input, secretEnc: this.#box().encrypt(secret) });
    return { subscription, secret };
  }

  update(id: number, patch: SubscriptionPatch): Promise<WebhookSubscription> {
    return this.#repo.update(id, patch);
  }

  delete(id: number): Promise<void> {
    return this.#repo.delete(id);
  }

  /** A new secret (returned once); the old one also signs for `PREVIOUS_SECRET_GRACE_MS`. */
  async rotateSecret(id: number): Promise<{ subscription: WebhookSubscription; secret: string; previousValidUntil: string }> {
    await this.#repo.get(id);
    const secret = newWebhookSecret();
    const previousValidUntil = new Date(this.#deps.clock.nowMs() + PREVIOUS_SECRET_GRACE_MS).toISOString();
    await this.#repo.rotateSecret(id, this.#box().encrypt(secret), previousValidUntil);
    return { subscription: await this.#repo.get(id), secret, previousValidUntil };
  }

  deliveries(q: DeliveryQuery): Promise<{ items: DeliveryView[]; total: number }> {
    return this.#repo.listDeliveries(q);
  }

  /** Resend: due now, with a fresh 24-hour retry window (a delivery being sent right now is left to that attempt). */
  async resend(deliveryId: number): Promise<DeliveryView> {
    const deadline = new Date(this.#deps.clock.nowMs() + DEFAULT_DELIVERY_RETRY.windowMs).toISOString();
    const view = await this.#repo.resend(deliveryId, deadline);
    if (!view) throw new NotFoundError('webhook delivery', deliveryId);
    return view;
  }
}
