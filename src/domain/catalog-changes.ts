/**
 * @module catalog-changes
 * E1/E2 the rules of the change feeds a platform pulls: what a change of a product means for a
 * catalog (the product is there — an upsert — or it left — a tombstone with the reason), and the
 * cursor format. Pure: no I/O.
 */

/** Why a product is no longer in a catalog. */
export const TOMBSTONE_REASONS = ['deleted', 'archived', 'not_synced'] as const;
export type TombstoneReason = (typeof TOMBSTONE_REASONS)[number];

/** The facts of a product row that decide whether a catalog shows it. */
export interface ProductPresence {
  deleted: boolean;
  archived: boolean;
  /** Synced (`sync_state = 'ok'`), not left out as a duplicate or a card that cannot be synced (R16, C2). */
  synced: boolean;
  /** Inside the root folder of the integration (C5), or of some integration when no integration is named. */
  inScope: boolean;
}

/** A change as the feed shows it: the product is in the catalog, or it left it and why. */
export type CatalogChangeKind = { op: 'upsert' } | { op: 'tombstone'; reason: TombstoneReason };

/** Deleted wins over archived, archived over not synced (a card outside the root folder is not synced for that catalog). */
export function catalogChangeKind(p: ProductPresence): CatalogChangeKind {
  if (p.deleted) return { op: 'tombstone', reason: 'deleted' };
  if (p.archived) return { op: 'tombstone', reason: 'archived' };
  if (!p.synced || !p.inScope) return { op: 'tombstone', reason: 'not_synced' };
  return { op: 'upsert' };
}

/** A cursor is the decimal sequence number of the last change read ("0" = from the start). */
export function parseCursor(cursor: string | undefined): number | null {
  if (cursor === undefined || cursor === '') return 0;
  if (!/^(0|[1-9][0-9]{0,15})$/.test(cursor)) return null;
  return Number(cursor);
}

/** The cursor to send next: the last sequence number of the page, or the one the page started after. */
export function nextCursor(after: number, seqs: readonly number[]): string {
  return String(seqs.length === 0 ? after : seqs[seqs.length - 1]!);
}
