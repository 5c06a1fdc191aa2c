/**
 * @module central-integration
 * The quick start's data: the central region and its integration, against the demo emulator or
 * the MOYSKLAD_* credentials.
 */
import type { Clock } from '../core/clock.js';
import type { SecretBox } from '../core/secret-box.js';
import type { StoreDatabase } from '../store/database.js';
import { IntegrationRepository } from '../store/repositories/integration-repository.js';
import { MsAccountRepository } from '../store/repositories/ms-account-repository.js';
import { PriceListRepository } from '../store/repositories/price-list-repository.js';
import { RegionRepository } from '../store/repositories/region-repository.js';
import type { DemoMoySklad } from './demo-emulator.js';
import type { ConsoleOut, RuntimeConfig, ServiceLogger } from './runtime-types.js';

/**
 * The quick start's data: the central region and its integration — against the demo emulator
 * (active, with the demo organization and a price list bound to the demo warehouse) or with the
 * MOYSKLAD_* credentials (inactive until an organization is chosen, R10). Idempotent.
 */
export async function ensureCentralIntegration(o: {
  store: StoreDatabase;
  box: SecretBox;
  clock: Clock;
  config: Pick<RuntimeConfig, 'moysklad' | 'timezone'>;
  demo: DemoMoySklad | null;
  logger: ServiceLogger;
  console: ConsoleOut;
}): Promise<number | null> {
  const { store, box, clock, demo } = o;
  // C14: a new central region runs its nightly syncs in TZ_SHOP.
  const central = await new RegionRepository(store.db, clock).ensureCentralRegion(undefined, o.config.timezone);
  const integrations = new IntegrationRepository(store.db, clock);
  const accounts = new MsAccountRepository(store.db, clock, box);
  const existing = await integrations.findByRegion(central.id);
  if (existing) return existing.id;
  if (demo) {
    const account = await accounts.upsert({ label: 'Demo shop (built-in emulator)', authKind: 'password', login: demo.login, secret: demo.password, baseUrl: demo.apiBaseUrl });
    const created = await integrations.create({
      regionId: central.id,
      msAccountId: account.id,
      active: true,
      organizationMsId: demo.organization?.id ?? null,
      organizationName: demo.organization?.name ?? null,
      exportPurchaseOrders: true,
      deleteRejectedPositions: true,
      importPhotos: true,
      categorySyncEnabled: true,
      balanceSyncEnabled: true,
    });
    if (demo.store) {
      // R11/R12: a price list bound to the demo warehouse, refreshed every 15 minutes.
      await new PriceListRepository(store.db, clock).create({ regionId: central.id, name: `Demo: ${demo.store.name}`, msStoreId: demo.store.id, syncIntervalMinutes: 15, deliveryDays: 0 });
    }
    o.logger.info({ integrationId: created.id, regionId: central.id }, 'demo integration created against the built-in emulator');
    return created.id;
  }
  const ms = o.config.moysklad;
  if (!ms) return null;
  const account = await accounts.upsert(
    ms.token
      ? { label: 'MoySklad (token)', authKind: 'user_token', secret: ms.token, baseUrl: ms.baseUrl }
      : { label: `MoySklad ${ms.login ?? ''}`.trim(), authKind: 'password', login: ms.login, secret: ms.password ?? '', baseUrl: ms.baseUrl },
  );
  // R10: not active until an organization is chosen in the admin panel.
  const created = await integrations.create({ regionId: central.id, msAccountId: account.id, active: false });
  o.console.out('A MoySklad integration for the central region was created inactive: choose its organization in the admin panel.');
  return created.id;
}
