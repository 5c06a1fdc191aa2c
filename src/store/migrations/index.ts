/**
 * @module migrations
 * Every migration, in order. A static map (not a folder scan) so that it works the same from
 * `tsx`, from compiled JS and in tests. To add one: create `NNNN_name.ts` exporting `up` (and
 * `down`), import it here and add it under its file name. Names sort lexically = run order.
 */
import type { Migration } from 'kysely';
import * as m0001 from './0001_initial.js';
import * as m0002 from './0002_jobs.js';
import * as m0003 from './0003_product_sale_prices.js';
import * as m0004 from './0004_outbox_aggregate_lock.js';
import * as m0005 from './0005_nomenclature_tracking.js';
import * as m0006 from './0006_ms_balance_attempts.js';
import * as m0007 from './0007_webhook_keys.js';
import * as m0008 from './0008_products_updated_at_idx.js';
import * as m0009 from './0009_lease_limiter_state.js';
import * as m0010 from './0010_drop_products_ms_updated_idx.js';
import * as m0011 from './0011_product_kind.js';
import * as m0012 from './0012_price_without_value.js';
import * as m0013 from './0013_catalog_scope.js';
import * as m0014 from './0014_article_keys_c7.js';
import * as m0015 from './0015_integration_reserve.js';
import * as m0016 from './0016_orders_ms_deleted.js';
import * as m0018 from './0018_region_time_zone_country.js';
import * as m0019 from './0019_phone_norm_e164.js';
import * as m0020 from './0020_integration_problems_balance_card.js';
import * as m0023 from './0023_platform_webhooks.js';
import * as m0024 from './0024_search_text.js';
import * as m0025 from './0025_price_list_feeds.js';
import * as m0026 from './0026_data_quality_ms_type.js';
import * as m0027 from './0027_login_failures.js';
import * as m0030 from './0030_outbox_claims.js';
import * as m0033 from './0033_order_ms_state.js';
import * as m0034 from './0034_catalog_changes.js';
import * as m0035 from './0035_price_list_row_changes.js';
import * as m0037 from './0037_sync_run_progress.js';
import * as m0042 from './0042_shipped_quantity_float.js';

export const migrations: Record<string, Migration> = {
  '0001_initial': m0001,
  '0002_jobs': m0002,
  '0003_product_sale_prices': m0003,
  '0004_outbox_aggregate_lock': m0004,
  '0005_nomenclature_tracking': m0005,
  '0006_ms_balance_attempts': m0006,
  '0007_webhook_keys': m0007,
  '0008_products_updated_at_idx': m0008,
  '0009_lease_limiter_state': m0009,
  '0010_drop_products_ms_updated_idx': m0010,
  '0011_product_kind': m0011,
  '0012_price_without_value': m0012,
  '0013_catalog_scope': m0013,
  '0014_article_keys_c7': m0014,
  '0015_integration_reserve': m0015,
  '0016_orders_ms_deleted': m0016,
  '0018_region_time_zone_country': m0018,
  '0019_phone_norm_e164': m0019,
  '0020_integration_problems_balance_card': m0020,
  '0023_platform_webhooks': m0023,
  '0024_search_text': m0024,
  '0025_price_list_feeds': m0025,
  '0026_data_quality_ms_type': m0026,
  '0027_login_failures': m0027,
  '0030_outbox_claims': m0030,
  '0033_order_ms_state': m0033,
  '0034_catalog_changes': m0034,
  '0035_price_list_row_changes': m0035,
  '0037_sync_run_progress': m0037,
  '0042_shipped_quantity_float': m0042,
};
