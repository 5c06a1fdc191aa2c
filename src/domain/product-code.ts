/**
 * @module product-code
 * R16: MoySklad has no manufacturer field, so a product's Code holds `Brand + " " + Article`
 * and its Article field holds the article alone. The brand is what remains of Code once the
 * article is removed from its end. When the two disagree the brand is undetermined and the
 * product is not synced; the reason key becomes a data-quality report entry (B5).
 */

export const codeSkipReasons = ['empty-code', 'empty-article', 'empty-brand', 'article-not-at-end'] as const;
export type CodeSkipReason = (typeof codeSkipReasons)[number];

export type CodeSplit =
  | { ok: true; brand: string; article: string }
  | { ok: false; reason: CodeSkipReason; message: string };

/**
 * C7 NFC first (a decomposed `O` + U+0308 and a precomposed `Ö` are one letter), then every run of
 * whitespace (tab and U+00A0 included) becomes one space; then trimmed.
 */
const collapse = (s: string): string => s.normalize('NFC').replace(/\s+/gu, ' ').trim();

/**
 * Splits a MoySklad Code into brand and article by R16.
 * Both fields are NFC-normalized first (C7); matching ignores case and repeated whitespace, but not
 * the script (Cyrillic `С` ≠ Latin `C`: that folding is for match keys only, see `normalizeArticle`).
 * The brand keeps the Code's own casing; brand and article come back in NFC.
 * The character before the article must be a space (Code = Brand + " " + Article).
 */
export function splitProductCode(code: string | null | undefined, article: string | null | undefined): CodeSplit {
  const c = collapse(code ?? '');
  const a = collapse(article ?? '');
  if (c === '') return { ok: false, reason: 'empty-code', message: 'Code is empty' };
  if (a === '') return { ok: false, reason: 'empty-article', message: 'Article is empty' };
  const ck = c.toUpperCase();
  const ak = a.toUpperCase();
  if (ck === ak) return { ok: false, reason: 'empty-brand', message: `Code "${c}" equals the article: no brand before it` };
  // Upper-casing can change a string's length (ß → SS); compare on keys, cut on the original
  // only when lengths are preserved, otherwise fall back to a key-based cut.
  if (!ck.endsWith(` ${ak}`)) {
    return { ok: false, reason: 'article-not-at-end', message: `Article "${a}" is not at the end of Code "${c}" after a space` };
  }
  const sameLength = ck.length === c.length && ak.length === a.length;
  const brand = (sameLength ? c.slice(0, c.length - a.length) : ck.slice(0, ck.length - ak.length)).trim();
  if (brand === '') return { ok: false, reason: 'empty-brand', message: `Code "${c}" has no brand before the article` };
  return { ok: true, brand, article: a };
}

/** Builds the Code MoySklad expects for a product the module creates (R20): `BRAND ARTICLE`. */
export function composeProductCode(brand: string, article: string): string {
  return `${collapse(brand)} ${collapse(article)}`;
}
