/**
 * @module duplicate-card-repository
 * C9: cards of one brand+article kept out as duplicates (`sync_state='skipped'`,
 * `skip_reason='duplicate-brand-article'`, all their fields stored) and the card kept in their
 * place. Read through the partial index `products_dup_losers_idx`, so a pass with no duplicates
 * pays one index probe.
 */
import { sql } from 'kysely';
import type { Clock } from '../../core/clock.js';
import { chunk, nowIso } from '../database.js';
import type { Db } from '../db.js';
import type { ProductKind } from '../schema.js';

const DUPLICATE = 'duplicate-brand-article';

export interface KeptOutCard {
  id: number;
  msId: string;
  brand: string;
  article: string;
  brandNorm: string;
  articleNorm: string;
  code: string | null;
  name: string;
  msFolderId: string | null;
  kind: ProductKind;
}

export class DuplicateCardRepository {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  /** Live synced cards that keep at least one live card of their brand+article out. */
  async keptCards(msAccountId: number): Promise<Array<{ msId: string; kind: ProductKind }>> {
    const r = await sql<{ msId: string; kind: ProductKind }>`
      select distinct w.ms_id as "msId", w.kind as "kind" from products l
      join products w on w.ms_account_id = l.ms_account_id and w.brand_norm = l.brand_norm and w.article_norm = l.article_norm
      where l.ms_account_id = ${msAccountId} and l.skip_reason = ${DUPLICATE} and l.sync_state = 'skipped' and l.deleted = 0 and l.archived = 0
        and w.sync_state = 'ok' and w.deleted = 0 and w.archived = 0 and w.key_from_parent = 0
      order by w.ms_id`.execute(this.db);
    return r.rows.map((x) => ({ msId: x.msId, kind: x.kind }));
  }

  /** Live cards kept out as duplicates whose brand+article no live synced card holds any more (store order). */
  async orphans(msAccountId: number): Promise<KeptOutCard[]> {
    const r = await sql<KeptOutCard>`
      select l.id as "id", l.ms_id as "msId", l.brand as "brand", l.article as "article", l.brand_norm as "brandNorm", l.article_norm as "articleNorm",
        l.code as "code", l.name as "name", l.ms_folder_id as "msFolderId", l.kind as "kind"
      from products l
      where l.ms_account_id = ${msAccountId} and l.skip_reason = ${DUPLICATE} and l.sync_state = 'skipped' and l.deleted = 0 and l.archived = 0
        and not exists (select 1 from products w where w.ms_account_id = l.ms_account_id and w.brand_norm = l.brand_norm and w.article_norm = l.article_norm
          and w.sync_state = 'ok' and w.deleted = 0 and w.archived = 0 and w.key_from_parent = 0)
      order by l.id`.execute(this.db);
    return r.rows.map((x) => ({ ...x, id: Number(x.id) }));
  }

  /** The cards become synced (`updated_at` moves, so the stock sync re-reads them). */
  async promote(msAccountId: number, msIds: readonly string[]): Promise<void> {
    const at = nowIso(this.clock);
    for (const part of chunk(msIds, 500)) {
      await this.db.updateTable('products').set({ syncState: 'ok', skipReason: null, updatedAt: at }).where('msAccountId', '=', msAccountId).where('msId', 'in', part).execute();
    }
  }
}
