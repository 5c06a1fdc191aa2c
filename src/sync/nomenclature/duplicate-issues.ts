/**
 * @module duplicate-issues
 * The data-quality entries of one brand+article held by several live cards (B5): the kept card
 * names the others, each other card names the kept one. Written by the nomenclature writer when it
 * finds duplicates and by the hand-over (C9) when a kept card goes.
 */
import type { ProductKind } from '../../store/schema.js';

export interface DuplicateCard {
  msId: string;
  code: string | null;
  brand: string;
  article: string;
  name: string;
  msFolderId: string | null;
  /** E4: which MoySklad web card the report links. */
  kind: ProductKind;
}

export interface DuplicateIssue {
  msProductId: string;
  code: string | null;
  article: string | null;
  name: string | null;
  reason: 'duplicate-brand-article';
  message: string;
  msFolderId: string | null;
  msType: ProductKind;
}

export function duplicateIssues(kept: DuplicateCard, others: readonly DuplicateCard[]): DuplicateIssue[] {
  const label = `${kept.brand} ${kept.article}`;
  const entry = (c: DuplicateCard, message: string): DuplicateIssue => ({ msProductId: c.msId, code: c.code, article: c.article, name: c.name, reason: 'duplicate-brand-article', message, msFolderId: c.msFolderId, msType: c.kind });
  return [
    entry(kept, `brand+article "${label}" is also on MoySklad product(s) ${others.map((r) => r.msId).join(', ')}; this one stays synced (it came first), the others are not synced`),
    ...others.map((r) => entry(r, `brand+article "${label}" is also on MoySklad product ${kept.msId}, which stays synced; this one is not synced`)),
  ];
}
