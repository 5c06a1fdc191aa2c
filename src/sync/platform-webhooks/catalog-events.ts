/**
 * @module catalog-events
 * E1 → E3: the `product.changed` / `product.deleted` webhook events are derived from the catalog
 * change sequence, not from each writer: a cursor (`sync_checkpoints` platform / catalog_events)
 * follows the sequence, and each batch of changes after it becomes events in ONE transaction with
 * the cursor's move (compare-and-set: two processes never announce a change twice). Without a
 * subscriber the cursor just jumps to the end (a new subscriber hears about changes from then on;
 * the past is in `GET /catalog/changes`). Run after every job (`wakeDeliveriesAfterJobs`) and at
 * the start of each delivery run.
 */
import type { Clock } from '../../core/clock.js';
import { withTransaction, type Db } from '../../store/db.js';
import { CatalogChangeRepository } from '../../store/repositories/catalog-change-repository.js';
import { CheckpointRepository } from '../../store/repositories/checkpoint-repository.js';
import { hasSubscribers, recordPlatformEvent } from '../../store/repositories/platform-event-recorder.js';

const SCOPE = 'platform';
const KIND = 'catalog_events';
const PRODUCT_EVENTS = ['product.changed', 'product.deleted'] as const;

export interface AnnounceOptions {
  /** Changes per transaction (default 500). */
  batch?: number;
  /** Batches per call (default 20); the next call goes on. */
  maxBatches?: number;
}

/** Announces the catalog changes after the cursor; returns how many events were written. */
export async function announceCatalogChanges(db: Db, clock: Clock, options: AnnounceOptions = {}): Promise<number> {
  const batch = options.batch ?? 500;
  let events = 0;
  for (let i = 0; i < (options.maxBatches ?? 20); i++) {
    const step = await withTransaction(db, async (tx) => {
      const cursors = new CheckpointRepository(tx, clock);
      const changes = new CatalogChangeRepository(tx);
      const from = await cursors.get<number>(SCOPE, KIND);
      if (from === null || !(await hasSubscribers(tx, PRODUCT_EVENTS))) {
        const latest = await changes.latest();
        if (latest !== from) await cursors.compareAndSet(SCOPE, KIND, from, latest);
        return { written: 0, more: false };
      }
      const page = await changes.page(from, batch);
      if (page.items.length === 0) return { written: 0, more: false };
      let written = 0;
      for (const c of page.items) {
        const p = c.product;
        const event =
          c.change.op === 'upsert'
            ? ({ type: 'product.changed', data: { productId: Number(p.id), msId: p.msId, brand: p.brand, article: p.article } } as const)
            : ({ type: 'product.deleted', data: { productId: Number(p.id), msId: p.msId, reason: c.change.reason } } as const);
        written += (await recordPlatformEvent(tx, clock, event)) > 0 ? 1 : 0;
      }
      // Another process announced this batch meanwhile: roll ours back.
      if (!(await cursors.compareAndSet(SCOPE, KIND, from, page.items[page.items.length - 1]!.seq))) throw new CursorMoved();
      return { written, more: page.hasMore };
    }).catch((e: unknown) => {
      if (e instanceof CursorMoved) return { written: 0, more: false };
      throw e;
    });
    events += step.written;
    if (!step.more) break;
  }
  return events;
}

class CursorMoved extends Error {}
