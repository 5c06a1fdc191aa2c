/**
 * @module hooks.routes
 * B3: `POST /hooks/moysklad/{accountKey}?requestId=…` — MoySklad's webhook and webhookstock deliveries.
 * Public (MoySklad sends no credentials): the per-account key in the path is the secret; an unknown key
 * is 404 before a byte of the body is read (S1). The handler only validates, deduplicates by requestId
 * and enqueues (`acceptWebhook`), so it answers 204 well inside MoySklad's 1500 ms; a bad body is 400
 * (MoySklad retries 3 times, then drops it). The body is capped while streaming at
 * `MAX_HOOK_BODY_BYTES` (the app's body-limit middleware, 413), and errors have the one shape (S2).
 */
import type { Context, Hono } from 'hono';
import { acceptWebhook, type WebhookIntakeDeps } from '../../sync/webhooks/webhook-intake.js';
import { errorBody } from '../error-handler.js';

/** Request bodies larger than this are refused (a notification carries references only). */
export const MAX_HOOK_BODY_BYTES = 4 * 1024 * 1024;

/** The route prefix, for the body cap. */
export const HOOKS_PATH_PREFIX = '/hooks/moysklad/';

async function readJson(c: Context): Promise<unknown> {
  const text = await c.req.text();
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

export function mountHookRoutes(app: Hono, deps: WebhookIntakeDeps): void {
  app.post(`${HOOKS_PATH_PREFIX}:key`, async (c) => {
    const result = await acceptWebhook(deps, { key: c.req.param('key'), requestId: c.req.query('requestId'), readBody: () => readJson(c) });
    if (result.status === 204) return c.body(null, 204);
    return c.json(errorBody(result.status === 404 ? 'not_found' : 'validation_failed', result.error), result.status);
  });
}
