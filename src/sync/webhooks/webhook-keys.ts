/**
 * @module webhook-keys
 * B3: the per-account token in the webhook URL (`ms_accounts.webhook_key`, migration 0007). It is
 * random (24 bytes, base64url), created on first use and never logged; the intake route finds the
 * account by it, so a guessed or stale URL gets 404.
 */
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { MsWebhookRepository } from '../../store/repositories/ms-webhook-repository.js';
import type { Database } from '../../store/schema.js';

/** The account's webhook key, created when it has none yet (safe under concurrent callers). */
export async function webhookKeyFor(db: Kysely<Database>, msAccountId: number): Promise<string> {
  const repo = new MsWebhookRepository(db);
  const read = (): Promise<string | null> => repo.webhookKey(msAccountId);
  const existing = await read();
  if (existing) return existing;
  const key = randomBytes(24).toString('base64url');
  await repo.setWebhookKeyIfNone(msAccountId, key);
  const stored = await read();
  if (!stored) throw new Error(`could not store the webhook key of MoySklad account ${msAccountId}`);
  return stored;
}

/** The `ms_accounts` id whose webhook key this is, or undefined. */
export async function accountByWebhookKey(db: Kysely<Database>, key: string): Promise<number | undefined> {
  if (!/^[A-Za-z0-9_-]{16,128}$/.test(key)) return undefined;
  return new MsWebhookRepository(db).accountByWebhookKey(key);
}
