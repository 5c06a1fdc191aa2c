/**
 * @module hooks.routes
 * B3: `POST /hooks/moysklad/{accountKey}?requestId=…` — MoySklad's webhook and webhookstock deliveries.
 * Public (MoySklad sends no credentials): the per-account key in the path is the secret; an unknown key
 * is 404. The handler only validates, deduplicates by requestId and enqueues (`acceptWebhook`), so it
 * answers 204 well inside MoySklad's 1500 ms; a bad body is 400 (MoySklad retries 3 times, then drops it).
 */
import type { Hono } from 'hono';
import { acceptWebhook, type WebhookIntakeDeps } from '../../sync/webhooks/webhook-intake.js';

/** Request bodies larger than this are refused (a notification carries references only). */
export const MAX_HOOK_BODY_BYTES = 4 * 1024 * 1024;

export function mountHookRoutes(app: Hono, deps: WebhookIntakeDeps): void {
  app.post('/hooks/moysklad/:key', async (c) => {
    const length = Number(c.req.header('content-length') ?? '0');
    if (length > MAX_HOOK_BODY_BYTES) return c.json({ error: 'payload_too_large' }, 413);
    const text = await c.req.text();
    if (text.length > MAX_HOOK_BODY_BYTES) return c.json({ error: 'payload_too_large' }, 413);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    const result = await acceptWebhook(deps, { key: c.req.param('key'), requestId: c.req.query('requestId'), body });
    if (result.status === 204) return c.body(null, 204);
    return c.json({ error: result.status === 404 ? 'not_found' : 'bad_request', message: result.error }, result.status);
  });
}
