/**
 * @module 0003_product_sale_prices
 * Sale prices of each product as MoySklad lists them (R4/R11: a price list shows the price of
 * its chosen sale price type). JSON text: `[{"priceTypeId":"…","name":"Цена продажи","value":65000}]`
 * in MoySklad's order (the first is the default price type), values in kopecks. Null = not yet
 * read (written by the nomenclature sync through `src/sync/stock/product-prices.ts`).
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('products').addColumn('sale_prices', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('products').dropColumn('sale_prices').execute();
}
