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
 * C7 Cyrillic letters that look like Latin ones, folded to the Latin letter in article keys
 * (upper case: the key is upper-cased first). `ОС90` typed with Cyrillic О and С matches `OC90`.
 */
const LOOK_ALIKES: Readonly<Record<string, string>> = {
  А: 'A',
  В: 'B',
  Е: 'E',
  К: 'K',
  М: 'M',
  Н: 'H',
  О: 'O',
  Р: 'P',
  С: 'C',
  Т: 'T',
  Х: 'X',
  У: 'Y',
};
const LOOK_ALIKE_RE = /[АВЕКМНОРСТХУ]/gu;

/**
 * Article (part number) match key (C7): NFC, upper case, letters and digits only (spaces, dashes,
 * dots, slashes and other punctuation dropped), then the Cyrillic look-alikes А В Е К М Н О Р С Т Х У
 * folded to Latin. Other letters of every script are kept (`Д`, `Ö`). `W 712/75` → `W71275`,
 * `0 986-452.041` → `0986452041`, Cyrillic `ос 90` → `OC90`. A match key only: the catalog keeps
 * the article as written, and R16's split compares Code and Article without this folding.
 */
export function normalizeArticle(raw: string | null | undefined): string {
  if (!raw) return '';
  return raw
    .normalize('NFC')
    .toUpperCase()
    .replace(/[^\p{L}\p{N}]+/gu, '')
    .replace(LOOK_ALIKE_RE, (c) => LOOK_ALIKES[c] ?? c);
}

/** Brand match key: NFC, upper case, runs of whitespace collapsed (`Febi  bilstein` → `FEBI BILSTEIN`). */
export function normalizeBrand(raw: string | null | undefined): string {
  if (!raw) return '';
  return raw.normalize('NFC').replace(/\s+/gu, ' ').trim().toUpperCase();
}
