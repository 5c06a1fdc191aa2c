/**
 * @module 0018_region_time_zone_country
 * Owned by the regions (C13, C14). Each region gets
 * - `time_zone`: the IANA zone its nightly syncs run in (after midnight there), default Europe/Moscow;
 * - `country`: ISO 3166-1 alpha-2, the default country of the phone numbers of its clients, default RU.
 * Existing regions get the defaults.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('regions').addColumn('time_zone', 'text', (c) => c.notNull().defaultTo('Europe/Moscow')).execute();
  await db.schema.alterTable('regions').addColumn('country', 'text', (c) => c.notNull().defaultTo('RU')).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('regions').dropColumn('country').execute();
  await db.schema.alterTable('regions').dropColumn('time_zone').execute();
}
