/**
 * @module 0026_data_quality_ms_type
 * E4 the data-quality report links each entry to its card in MoySklad's web UI, whose form differs
 * for a product (`#good/edit`) and a variant (`#feature/edit`): `ms_type` is `product` or
 * `variant` as the nomenclature writer saw the item; null for rows written before (read as product).
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('data_quality_issues').addColumn('ms_type', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('data_quality_issues').dropColumn('ms_type').execute();
}
