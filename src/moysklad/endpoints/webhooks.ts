/**
 * @module moysklad/endpoints/webhooks
 * Entity webhooks and stock webhooks.
 */
import { listAll } from '../lists.js';
import { webhookSchema, webhookStockSchema, type MsWebhook, type MsWebhookCreate, type MsWebhookStock } from '../schemas/webhook.js';
import type { MoySkladTransport } from '../transport.js';

export function webhooks(t: MoySkladTransport, signal?: AbortSignal): Promise<MsWebhook[]> {
  return listAll(t, 'entity/webhook', {}, webhookSchema, signal);
}

export async function createWebhook(t: MoySkladTransport, webhook: MsWebhookCreate, signal?: AbortSignal): Promise<MsWebhook> {
  const body = await t.request('POST', 'entity/webhook', { body: webhook, signal, idempotent: false });
  return t.parse(webhookSchema, body, 'POST', 'entity/webhook');
}

/** `PUT entity/webhook/{id}` `{enabled:true}`: turns a disabled webhook back on. */
export async function enableWebhook(t: MoySkladTransport, id: string, signal?: AbortSignal): Promise<MsWebhook> {
  const path = `entity/webhook/${encodeURIComponent(id)}`;
  return t.parse(webhookSchema, await t.request('PUT', path, { body: { enabled: true }, signal }), 'PUT', path);
}

export async function deleteWebhook(t: MoySkladTransport, id: string, signal?: AbortSignal): Promise<void> {
  await t.request('DELETE', `entity/webhook/${encodeURIComponent(id)}`, { signal });
}

export function stockWebhooks(t: MoySkladTransport, signal?: AbortSignal): Promise<MsWebhookStock[]> {
  return listAll(t, 'entity/webhookstock', {}, webhookStockSchema, signal);
}

export async function createStockWebhook(t: MoySkladTransport, webhook: { url: string; reportType: 'all' | 'bystore'; stockType?: 'stock' }, signal?: AbortSignal): Promise<MsWebhookStock> {
  const body = await t.request('POST', 'entity/webhookstock', { body: { stockType: 'stock', ...webhook }, signal, idempotent: false });
  return t.parse(webhookStockSchema, body, 'POST', 'entity/webhookstock');
}

/** `PUT entity/webhookstock/{id}` `{enabled:true}`: turns a disabled stock webhook back on. */
export async function enableStockWebhook(t: MoySkladTransport, id: string, signal?: AbortSignal): Promise<MsWebhookStock> {
  const path = `entity/webhookstock/${encodeURIComponent(id)}`;
  return t.parse(webhookStockSchema, await t.request('PUT', path, { body: { enabled: true }, signal }), 'PUT', path);
}

export async function deleteStockWebhook(t: MoySkladTransport, id: string, signal?: AbortSignal): Promise<void> {
  await t.request('DELETE', `entity/webhookstock/${encodeURIComponent(id)}`, { signal });
}
