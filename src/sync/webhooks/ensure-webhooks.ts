/**
 * @module ensure-webhooks
 * B3 registration: puts the module's MoySklad webhooks on an account whose integrations are active,
 * and takes them off when none is. Run when an integration becomes active and nightly (`webhooks`
 * job kind). Rules (PEERS §4.4 item 5, REFERENCE §8, §5):
 *
 * - one set per MoySklad account (`ms_accounts` row), at `PUBLIC_BASE_URL/hooks/moysklad/{key}`:
 *   product CREATE/UPDATE/DELETE, productfolder UPDATE and a `bystore` webhookstock;
 * - idempotent: list first, create only what is missing, re-enable ours when MoySklad disabled it,
 *   30003 ("already exists") counts as present;
 * - never touches a webhook whose URL is not this account's own hook URL (other apps, the shop's
 *   own integrations, other module installations);
 * - tariff or rights refusals (30006 free tariff, 30004 not an admin) and other failures are recorded
 *   in `integrations.webhook_state/webhook_message` and the integration log, never thrown: the
 *   scheduled incremental syncs keep working without webhooks;
 * - skipped, with the reason, when PUBLIC_BASE_URL is a loopback address MoySklad could not reach
 *   (unless the account is an emulator on this machine or in this process).
 */
import type { Kysely } from 'kysely';
import type { Clock } from '../../core/clock.js';
import { errorMessage, NotFoundError } from '../../core/errors.js';
import type { MoySkladClient } from '../../moysklad/client.js';
import { MoySkladError } from '../../moysklad/errors.js';
import { MsWebhookRepository } from '../../store/repositories/ms-webhook-repository.js';
import { SyncRowsRepository } from '../../store/repositories/sync-rows-repository.js';
import type { Database, LogLevel } from '../../store/schema.js';
import type { MoySkladClientPool } from '../client-pool.js';
import type { IntegrationLogWriter } from '../sync-run.js';
import { webhookKeyFor } from './webhook-keys.js';
import { hookUrl, isLoopbackUrl } from './webhook-urls.js';

/** The entity webhooks the module registers on each account. */
export const MODULE_WEBHOOKS: ReadonlyArray<{ entityType: string; action: 'CREATE' | 'UPDATE' | 'DELETE' }> = [
  { entityType: 'product', action: 'CREATE' },
  { entityType: 'product', action: 'UPDATE' },
  { entityType: 'product', action: 'DELETE' },
  // Variants are store items of their own (R15): their changes and deletions reach us the same way.
  { entityType: 'variant', action: 'CREATE' },
  { entityType: 'variant', action: 'UPDATE' },
  { entityType: 'variant', action: 'DELETE' },
  { entityType: 'productfolder', action: 'UPDATE' },
];

export type WebhookState = 'registered' | 'refused' | 'skipped' | 'error' | 'removed';

export interface WebhookRegistrationDeps {
  db: Kysely<Database>;
  clock: Clock;
  clients: MoySkladClientPool;
  /** PUBLIC_BASE_URL: where MoySklad reaches this service. */
  publicBaseUrl: string;
  log?: IntegrationLogWriter;
  /** API base URLs served in this process (the demo emulator): they reach a loopback PUBLIC_BASE_URL. */
  inProcessBaseUrls?: readonly string[];
}

export interface EnsureWebhooksResult {
  msAccountId: number;
  /** `none`: no active integration and nothing of ours to remove. */
  state: WebhookState | 'none';
  created: number;
  present: number;
  reenabled: number;
  removed: number;
  /** MoySklad error code of a refusal (30006, 30004…). */
  code?: number;
  message: string;
}

const REFUSAL_CODES = new Set([30004, 30006]);

/** Whether MoySklad at `accountBaseUrl` could deliver to `publicBaseUrl`. */
export function canReach(publicBaseUrl: string, accountBaseUrl: string, inProcessBaseUrls: readonly string[] = []): boolean {
  if (!isLoopbackUrl(publicBaseUrl)) return true;
  if (isLoopbackUrl(accountBaseUrl)) return true;
  const origin = (u: string): string => {
    try {
      return new URL(u).origin;
    } catch {
      return u;
    }
  };
  return inProcessBaseUrls.some((b) => origin(b) === origin(accountBaseUrl));
}

/**
 * Reconciles one MoySklad account's webhooks with its integrations: registers them when at least one
 * integration is active, removes ours when none is. Never throws for MoySklad refusals.
 */
export async function ensureWebhooks(deps: WebhookRegistrationDeps, msAccountId: number, signal?: AbortSignal): Promise<EnsureWebhooksResult> {
  const { db } = deps;
  const account = await new SyncRowsRepository(db).msAccount(msAccountId);
  if (!account) throw new NotFoundError('MoySklad account', msAccountId);
  const integrations = await new MsWebhookRepository(db).integrationsOfAccount(msAccountId);
  const active = integrations.filter((i) => i.active === 1);
  const result: EnsureWebhooksResult = { msAccountId, state: 'none', created: 0, present: 0, reenabled: 0, removed: 0, message: '' };

  if (active.length === 0) {
    const mayHaveOurs = account.webhookKey !== null && integrations.some((i) => i.webhookState === 'registered' || i.webhookState === 'error');
    if (!mayHaveOurs) return { ...result, message: 'no active integration' };
    const url = hookUrl(deps.publicBaseUrl, account.webhookKey!);
    try {
      result.removed = await removeOurs(deps.clients.forAccountRow(account), url, signal);
      result.state = 'removed';
      result.message = `no active integration: removed ${result.removed} webhook(s) of this module`;
    } catch (e) {
      fillFailure(result, e, 'removing the webhooks failed');
    }
    await record(deps, integrations.map((i) => Number(i.id)), result);
    return result;
  }

  const ids = active.map((i) => Number(i.id));
  if (!canReach(deps.publicBaseUrl, account.baseUrl, deps.inProcessBaseUrls)) {
    result.state = 'skipped';
    result.message = `PUBLIC_BASE_URL ${deps.publicBaseUrl} is a loopback address MoySklad cannot reach; set PUBLIC_BASE_URL to the service's public URL for webhooks (polling continues)`;
    await record(deps, ids, result, 'info');
    return result;
  }

  const key = await webhookKeyFor(db, msAccountId);
  const url = hookUrl(deps.publicBaseUrl, key);
  const client = deps.clients.forAccountRow(account);
  try {
    const existing = await client.webhooks(signal);
    const ours = existing.filter((w) => w.url === url);
    for (const want of MODULE_WEBHOOKS) {
      const found = ours.find((w) => w.entityType === want.entityType && w.action === want.action);
      if (found) {
        result.present++;
        if (!found.enabled) {
          await client.enableWebhook(found.id, signal);
          result.reenabled++;
        }
        continue;
      }
      try {
        await client.createWebhook({ url, action: want.action, entityType: want.entityType }, signal);
        result.created++;
      } catch (e) {
        if (e instanceof MoySkladError && e.msCode === 30003) result.present++;
        else throw e;
      }
    }
    // Ours but no longer wanted (e.g. an earlier version subscribed to more): only exact own-URL matches.
    for (const w of ours) {
      if (!MODULE_WEBHOOKS.some((m) => m.entityType === w.entityType && m.action === w.action)) {
        await client.deleteWebhook(w.id, signal);
        result.removed++;
      }
    }
    const stock = (await client.stockWebhooks(signal)).filter((w) => w.url === url);
    const byStore = stock.find((w) => w.reportType === 'bystore');
    if (!byStore) {
      await client.createStockWebhook({ url, reportType: 'bystore' }, signal);
      result.created++;
    } else {
      result.present++;
      if (!byStore.enabled) {
        await client.enableStockWebhook(byStore.id, signal);
        result.reenabled++;
      }
    }
    for (const w of stock) {
      if (w !== byStore) {
        await client.deleteStockWebhook(w.id, signal);
        result.removed++;
      }
    }
    result.state = 'registered';
    result.message = `${MODULE_WEBHOOKS.length + 1} webhooks registered (${result.created} created${result.reenabled ? `, ${result.reenabled} re-enabled` : ''})`;
  } catch (e) {
    fillFailure(result, e, 'registering the webhooks failed');
  }
  await record(deps, ids, result);
  return result;
}

/** Reconciles every MoySklad account (the nightly run). */
export async function ensureAllWebhooks(deps: WebhookRegistrationDeps, signal?: AbortSignal): Promise<EnsureWebhooksResult[]> {
  const accounts = await new MsWebhookRepository(deps.db).accountIds();
  const out: EnsureWebhooksResult[] = [];
  for (const id of accounts) {
    if (signal?.aborted) break;
    const r = await ensureWebhooks(deps, id, signal);
    if (r.state !== 'none') out.push(r);
  }
  return out;
}

/** Deletes the entity and stock webhooks whose URL is exactly this account's hook URL. */
async function removeOurs(client: MoySkladClient, url: string, signal: AbortSignal | undefined): Promise<number> {
  let removed = 0;
  for (const w of await client.webhooks(signal)) {
    if (w.url !== url) continue;
    await client.deleteWebhook(w.id, signal);
    removed++;
  }
  for (const w of await client.stockWebhooks(signal)) {
    if (w.url !== url) continue;
    await client.deleteStockWebhook(w.id, signal);
    removed++;
  }
  return removed;
}

function fillFailure(result: EnsureWebhooksResult, e: unknown, what: string): void {
  if (e instanceof MoySkladError && e.msCode !== undefined && REFUSAL_CODES.has(e.msCode)) {
    result.state = 'refused';
    result.code = e.msCode;
    result.message =
      e.msCode === 30006
        ? 'MoySklad webhooks need a paid tariff (30006); changes arrive by scheduled polling'
        : 'MoySklad webhooks need an administrator account (30004); changes arrive by scheduled polling';
    return;
  }
  if (e instanceof Error && e.name === 'AbortError') throw e;
  result.state = 'error';
  if (e instanceof MoySkladError && e.msCode !== undefined) result.code = e.msCode;
  result.message = `${what}: ${errorMessage(e)}; changes arrive by scheduled polling`;
}

async function record(deps: WebhookRegistrationDeps, integrationIds: number[], r: EnsureWebhooksResult, level?: LogLevel): Promise<void> {
  if (integrationIds.length === 0) return;
  const state = r.state === 'none' ? null : r.state;
  await new MsWebhookRepository(deps.db).setWebhookState(integrationIds, state, r.message);
  const lvl: LogLevel = level ?? (r.state === 'registered' || r.state === 'removed' ? 'info' : 'warn');
  for (const integrationId of integrationIds) {
    await deps.log?.write({ level: lvl, integrationId, kind: 'webhooks', message: r.message, details: { state: r.state, code: r.code, created: r.created, removed: r.removed } });
  }
}
