/**
 * @module repositories
 * Every repository over one database handle (the app's Kysely or a transaction).
 */
import type { Clock } from '../core/clock.js';
import type { SecretBox } from '../core/secret-box.js';
import type { Db } from './db.js';
import { BalanceRepository } from './repositories/balance-repository.js';
import { CategoryRepository } from './repositories/category-repository.js';
import { CheckpointRepository } from './repositories/checkpoint-repository.js';
import { CounterpartyRepository } from './repositories/counterparty-repository.js';
import { DataQualityRepository } from './repositories/data-quality-repository.js';
import { IntegrationRepository } from './repositories/integration-repository.js';
import { LogEntryRepository } from './repositories/log-entry-repository.js';
import { MsAccountRepository } from './repositories/ms-account-repository.js';
import type { MsAccountRepositoryOptions } from './repositories/ms-account-repository.js';
import { OrderRepository } from './repositories/order-repository.js';
import { OutboxRepository } from './repositories/outbox-repository.js';
import { PriceListRepository } from './repositories/price-list-repository.js';
import { ProductRepository } from './repositories/product-repository.js';
import { RegionRepository } from './repositories/region-repository.js';
import { SettingsRepository } from './repositories/settings-repository.js';
import { SyncRunRepository } from './repositories/sync-run-repository.js';
import { WebhookReceiptRepository } from './repositories/webhook-receipt-repository.js';

export interface Repositories {
  regions: RegionRepository;
  msAccounts: MsAccountRepository;
  integrations: IntegrationRepository;
  priceLists: PriceListRepository;
  products: ProductRepository;
  categories: CategoryRepository;
  counterparties: CounterpartyRepository;
  orders: OrderRepository;
  outbox: OutboxRepository;
  balances: BalanceRepository;
  logEntries: LogEntryRepository;
  syncRuns: SyncRunRepository;
  checkpoints: CheckpointRepository;
  settings: SettingsRepository;
  dataQuality: DataQualityRepository;
  webhookReceipts: WebhookReceiptRepository;
}

export function createRepositories(db: Db, clock: Clock, box: SecretBox, options: MsAccountRepositoryOptions = {}): Repositories {
  return {
    regions: new RegionRepository(db, clock),
    msAccounts: new MsAccountRepository(db, clock, box, options),
    integrations: new IntegrationRepository(db, clock),
    priceLists: new PriceListRepository(db, clock),
    products: new ProductRepository(db, clock),
    categories: new CategoryRepository(db, clock),
    counterparties: new CounterpartyRepository(db, clock),
    orders: new OrderRepository(db, clock),
    outbox: new OutboxRepository(db, clock),
    balances: new BalanceRepository(db, clock),
    logEntries: new LogEntryRepository(db),
    syncRuns: new SyncRunRepository(db, clock),
    checkpoints: new CheckpointRepository(db, clock),
    settings: new SettingsRepository(db, clock),
    dataQuality: new DataQualityRepository(db, clock),
    webhookReceipts: new WebhookReceiptRepository(db, clock),
  };
}
