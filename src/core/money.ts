/**
 * @module money
 * Money is an integer number of kopecks everywhere in the module. MoySklad sends kopecks as
 * JSON numbers (sometimes with a fractional part, e.g. `65000.0`); they are rounded once, at the boundary.
 */

/** An integer amount of kopecks (1 rouble = 100 kopecks). */
export type Kopecks = number;

/** Converts a MoySklad money value (float kopecks) to integer kopecks. */
export function toKopecks(value: number | null | undefined): Kopecks {
  if (value === null || value === undefined || !Number.isFinite(value)) return 0;
  return Math.round(value);
}

/** Formats kopecks as roubles with two decimals and a dot: 123456 → "1234.56", -5 → "-0.05". */
export function formatRoubles(k: Kopecks): string {
  const sign = k < 0 ? '-' : '';
  const abs = Math.abs(Math.round(k));
  const roubles = Math.floor(abs / 100);
  const kop = abs % 100;
  return `${sign}${roubles}.${kop.toString().padStart(2, '0')}`;
}

/** Parses "1234.56" / "1234,56" / "1234" roubles into kopecks; returns null when not a number. */
export function parseRoubles(text: string): Kopecks | null {
  const t = text.trim().replace(',', '.');
  if (!/^-?\d+(\.\d{1,2})?$/.test(t)) return null;
  return Math.round(Number(t) * 100);
}
