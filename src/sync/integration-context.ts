/**
 * @module integration-context
 * Loads what a sync needs to act for one integration (region): the integration row with its
 * options, its region, its MoySklad account, and the shared client for that account.
 */
import type { Kysely } from 'kysely';
import { AppError, NotFoundError } from '../core/errors.js';
import type { MoySkladClient } from '../moysklad/client.js';
import { SyncRowsRepository } from '../store/repositories/sync-rows-repository.js';
import type { Database, IntegrationRow, MsAccountRow, RegionRow } from '../store/schema.js';
import type { MoySkladClientPool } from './client-pool.js';

export interface IntegrationContext {
  integration: IntegrationRow;
  region: RegionRow;
  msAccount: MsAccountRow;
  client: MoySkladClient;
}

export class IntegrationInactiveError extends AppError {
  constructor(integrationId: number) {
    super('integration_inactive', `integration ${integrationId} is not active`, { status: 409 });
    this.name = 'IntegrationInactiveError';
  }
}

/**
 * @param requireActive when true (the default) an inactive integration is refused with
 *   `integration_inactive`, so that deactivating an integration stops its jobs.
 */
export async function loadIntegrationContext(
  db: Kysely<Database>,
  clients: MoySkladClientPool,
  integrationId: number,
  requireActive = true,
): Promise<IntegrationContext> {
  const rows = new SyncRowsRepository(db);
  const integration = await rows.integration(integrationId);
  if (!integration) throw new NotFoundError('integration', integrationId);
  if (requireActive && integration.active !== 1) throw new IntegrationInactiveError(integrationId);
  const region = await rows.region(integration.regionId);
  if (!region) throw new NotFoundError('region', integration.regionId);
  const msAccount = await rows.msAccount(integration.msAccountId);
  if (!msAccount) throw new NotFoundError('MoySklad account', integration.msAccountId);
  return { integration, region, msAccount, client: clients.forAccountRow(msAccount) };
}
