/**
 * @module ms-webhook-repository
 * B3: what the MoySklad webhooks need of the store — the per-account webhook key, the registration
 * state of each integration, and the reads of the intake's fan-out (active integrations, bound
 * price lists, price lists holding deleted products).
 */
import type { Db } from '../db.js';
import type { IntegrationRow } from '../schema.js';

export class MsWebhookRepository {
  constructor(private readonly db: Db) {}

  /** The account's webhook key (null when it has none yet); throws when the account does not exist. */
  async webhookKey(msAccountId: number): Promise<string | null> {
    return (await this.db.selectFrom('msAccounts').select('webhookKey').where('id', '=', msAccountId).executeTakeFirstOrThrow()).webhookKey;
  }

  /** Stores a key for an account that has none (a concurrent caller's key wins). */
  async setWebhookKeyIfNone(msAccountId: number, key: string): Promise<void> {
    await this.db.updateTable('msAccounts').set({ webhookKey: key }).where('id', '=', msAccountId).where('webhookKey', 'is', null).execute();
  }

  /** The `ms_accounts` id whose webhook key this is, or undefined. */
  async accountByWebhookKey(key: string): Promise<number | undefined> {
    const row = await this.db.selectFrom('msAccounts').select('id').where('webhookKey', '=', key).executeTakeFirst();
    return row ? Number(row.id) : undefined;
  }

  /** MoySklad's own id of the account (`accountId` in events), when known. */
  async moyskladAccountIdOf(msAccountId: number): Promise<string | null> {
    return (await this.db.selectFrom('msAccounts').select('moyskladAccountId').where('id', '=', msAccountId).executeTakeFirst())?.moyskladAccountId ?? null;
  }

  /** Every MoySklad account id, ascending. */
  async accountIds(): Promise<number[]> {
    return (await this.db.selectFrom('msAccounts').select('id').orderBy('id').execute()).map((a) => Number(a.id));
  }

  /** The MoySklad account of an integration; throws when the integration does not exist. */
  async msAccountOfIntegration(integrationId: number): Promise<number> {
    return Number((await this.db.selectFrom('integrations').select('msAccountId').where('id', '=', integrationId).executeTakeFirstOrThrow()).msAccountId);
  }

  /** The account's integrations with their webhook state. */
  integrationsOfAccount(msAccountId: number): Promise<Array<Pick<IntegrationRow, 'id' | 'active' | 'webhookState'>>> {
    return this.db.selectFrom('integrations').select(['id', 'active', 'webhookState']).where('msAccountId', '=', msAccountId).execute();
  }

  async setWebhookState(integrationIds: readonly number[], state: IntegrationRow['webhookState'], message: string): Promise<void> {
    if (integrationIds.length === 0) return;
    await this.db.updateTable('integrations').set({ webhookState: state, webhookMessage: message }).where('id', 'in', [...integrationIds]).execute();
  }

  /** The account's active integrations, by id. */
  activeIntegrationsOfAccount(msAccountId: number): Promise<Array<Pick<IntegrationRow, 'id' | 'regionId' | 'categorySyncEnabled'>>> {
    return this.db.selectFrom('integrations').select(['id', 'regionId', 'categorySyncEnabled']).where('msAccountId', '=', msAccountId).where('active', '=', 1).orderBy('id').execute();
  }

  /** Price lists of these regions bound to a warehouse, by id. */
  async boundPriceLists(regionIds: readonly number[]): Promise<Array<{ id: number; regionId: number; msStoreId: string | null }>> {
    if (regionIds.length === 0) return [];
    return this.db.selectFrom('priceLists').select(['id', 'regionId', 'msStoreId']).where('regionId', 'in', [...regionIds]).where('msStoreId', 'is not', null).orderBy('id').execute();
  }

  /** Bound price lists in the regions of the account's active integrations whose current rows include `msIds`, ascending. */
  async priceListsHolding(msAccountId: number, msIds: readonly string[]): Promise<number[]> {
    if (msIds.length === 0) return [];
    const out = new Set<number>();
    for (let i = 0; i < msIds.length; i += 500) {
      const rows = await this.db
        .selectFrom('priceLists as pl')
        .innerJoin('integrations as i', 'i.regionId', 'pl.regionId')
        .innerJoin('priceListRows as r', (j) => j.onRef('r.priceListId', '=', 'pl.id').onRef('r.generation', '=', 'pl.generation'))
        .select('pl.id')
        .distinct()
        .where('i.msAccountId', '=', msAccountId)
        .where('i.active', '=', 1)
        .where('pl.msStoreId', 'is not', null)
        .where('r.msProductId', 'in', msIds.slice(i, i + 500))
        .execute();
      for (const r of rows) out.add(Number(r.id));
    }
    return [...out].sort((a, b) => a - b);
  }
}
