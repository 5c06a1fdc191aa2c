/**
 * @module duplicate-handover
 * C9: when the card kept for a brand+article is archived, deleted, or changes its brand/article,
 * one of the cards kept out as its duplicates takes its place — on the next pass of either kind,
 * not only the nightly one. The cards kept out are stored with all their fields (the writer), so
 * the hand-over needs no product request:
 * 1. (incremental pass) the kept cards that have duplicates are asked for by id (80 per request;
 *    usually none, so no request): those MoySklad no longer has are marked deleted — an incremental
 *    list never shows a deletion;
 * 2. every brand+article whose cards are all kept out gets its first card in the store synced
 *    (store order: the card that came first, as when duplicates are found); the report names the
 *    new kept card, or drops the entry when no duplicate is left.
 */
import type { Kysely } from 'kysely';
import type { Clock } from '../../core/clock.js';
import type { MoySkladClient } from '../../moysklad/client.js';
import { DataQualityRepository } from '../../store/repositories/data-quality-repository.js';
import { DuplicateCardRepository, type KeptOutCard } from '../../store/repositories/duplicate-card-repository.js';
import type { Database } from '../../store/schema.js';
import type { SyncRun } from '../sync-run.js';
import { checkDeletedItems, emptyCandidates } from './deletion-check.js';
import { duplicateIssues } from './duplicate-issues.js';
import { logMsg } from '../../domain/log-messages.js';

export interface HandoverDeps {
  db: Kysely<Database>;
  clock: Clock;
}

export interface HandoverResult {
  /** Kept cards found deleted in MoySklad. */
  deleted: number;
  /** Cards that took a kept card's place. */
  handedOver: number;
}

export async function handOverDuplicates(
  deps: HandoverDeps,
  target: { msAccountId: number; client: MoySkladClient },
  run: SyncRun,
  options: { verifyKept: boolean; signal?: AbortSignal },
): Promise<HandoverResult> {
  const cards = new DuplicateCardRepository(deps.db, deps.clock);
  let deleted = 0;
  if (options.verifyKept) {
    const kept = await cards.keptCards(target.msAccountId);
    if (kept.length > 0) {
      const candidates = emptyCandidates();
      for (const k of kept) candidates[k.kind].push(k.msId);
      const checked = await checkDeletedItems(deps, target, candidates, options.signal ? { signal: options.signal } : {});
      deleted = checked.deleted.length;
      if (deleted > 0) run.count('deleted', deleted);
    }
  }
  const orphans = await cards.orphans(target.msAccountId);
  if (orphans.length === 0) return { deleted, handedOver: 0 };
  const groups = new Map<string, KeptOutCard[]>();
  for (const o of orphans) {
    const key = `${o.brandNorm}\u0000${o.articleNorm}`;
    groups.set(key, [...(groups.get(key) ?? []), o]);
  }
  const promoted: string[] = [];
  const report = new DataQualityRepository(deps.db, deps.clock);
  const issues = [];
  const resolved: string[] = [];
  for (const list of groups.values()) {
    const [first, ...rest] = list as [KeptOutCard, ...KeptOutCard[]]; // store order: the one that came first
    promoted.push(first.msId);
    if (rest.length > 0) issues.push(...duplicateIssues(first, rest));
    else resolved.push(first.msId);
  }
  await cards.promote(target.msAccountId, promoted);
  await report.resolve(target.msAccountId, resolved);
  await report.record(target.msAccountId, run.id, issues);
  run.count('handedOver', promoted.length);
  await run.log('info', `${promoted.length} product(s) took the place of an archived, deleted or changed duplicate: ${promoted.slice(0, 20).join(', ')}`, undefined, logMsg('duplicates_promoted', { count: promoted.length }));
  return { deleted, handedOver: promoted.length };
}
