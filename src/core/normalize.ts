/**
 * @module normalize
 * Normal forms used for matching (B6 phones and emails, article numbers for order lines and
 * price-list rows). Originals are always kept next to these; normal forms are match keys only.
 */

/** Trimmed and lower-cased e-mail, or null when empty or without an `@`. */
export function normalizeEmail(raw: string | null | undefined): string | null {
  if (!raw) return null;
  const e = raw.trim().toLowerCase();
  if (!e.includes('@') || e.startsWith('@') || e.endsWith('@')) return null;
  return e;
}

/** INN: digits only; null unless 10 (legal entity) or 12 (individual) digits. */
export function normalizeInn(raw: string | null | undefined): string | null {
  if (!raw) return null;
  const digits = raw.replace(/\D+/g, '');
  return digits.length === 10 || digits.length === 12 ? digits : null;
}

/**
 * Article (part number) match key: upper case, letters and digits only (spaces, dashes, dots,
 * slashes and other punctuation dropped). Letters of every script are kept and not merged:
 * Cyrillic `С` stays different from Latin `C`. `W 712/75` → `W71275`, `0 986-452.041` → `0986452041`.
 */
export function normalizeArticle(raw: string | null | undefined): string {
  if (!raw) return '';
  return raw.normalize('NFC').toUpperCase().replace(/[^\p{L}\p{N}]+/gu, '');
}

/** Brand match key: upper case with runs of whitespace collapsed (`Febi  bilstein` → `FEBI BILSTEIN`). */
export function normalizeBrand(raw: string | null | undefined): string {
  if (!raw) return '';
  return raw.normalize('NFC').replace(/\s+/gu, ' ').trim().toUpperCase();
}
