/**
 * @module 0019_phone_norm_e164
 * Owned by the counterparties (C13). `counterparties.phone_norm` was digits with the Russian trunk
 * prefix unified (`79123456789`); it is now E.164 from libphonenumber-js (`+79123456789`), read
 * with the default country of the counterparty's region (RU without a region). Every stored phone
 * is normalized again, in batches of 500 rows (memory stays flat on a large shop). A phone that is
 * not a valid number now has no key (null): it never matched anything real.
 */
import type { Kysely } from 'kysely';
import { normalizePhone } from '../../domain/phone.js';

const BATCH = 500;

export async function up(db: Kysely<any>): Promise<void> {
  let afterId = 0;
  for (;;) {
    const rows = (await db
      .selectFrom('counterparties as c')
      .leftJoin('regions as r', 'r.id', 'c.region_id')
      .select(['c.id as id', 'c.phone as phone', 'c.phone_norm as norm', 'r.country as country'])
      .where('c.id', '>', afterId)
      .where('c.phone', 'is not', null)
      .orderBy('c.id')
      .limit(BATCH)
      .execute()) as Array<{ id: number | string; phone: string | null; norm: string | null; country: string | null }>;
    if (rows.length === 0) return;
    for (const r of rows) {
      const next = normalizePhone(r.phone, r.country ?? undefined);
      if (next !== r.norm) await db.updateTable('counterparties').set({ phone_norm: next }).where('id', '=', r.id).execute();
    }
    afterId = Number(rows[rows.length - 1]!.id);
  }
}

export async function down(): Promise<void> {
  // The old digits-only form is not restored: E.164 keys are a superset of what it matched.
}
