/**
 * @module moscow-time
 * MoySklad writes timestamps in Moscow time (UTC+3, no daylight saving since 2014) without an
 * offset: `yyyy-MM-dd HH:mm:ss.SSS` in responses, `yyyy-MM-dd HH:mm:ss` (or `HH:mm`) in filters.
 */

const MSK_OFFSET_MS = 3 * 60 * 60 * 1000;

const pad = (n: number, width = 2): string => n.toString().padStart(width, '0');

/** Formats an instant as MoySklad does in responses: `2026-11-29 12:00:00.000` (Moscow time). */
export function formatMoscow(instant: Date | number, withMillis = true): string {
  const d = new Date((instant instanceof Date ? instant.getTime() : instant) + MSK_OFFSET_MS);
  const base = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  return withMillis ? `${base}.${pad(d.getUTCMilliseconds(), 3)}` : base;
}

const MOSCOW_RE = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?$/;

/**
 * Parses a MoySklad timestamp (`yyyy-MM-dd HH:mm[:ss[.SSS]]`, Moscow time) into epoch ms.
 * Returns null when the text does not have that shape or names an impossible date.
 */
export function parseMoscow(text: string): number | null {
  const m = MOSCOW_RE.exec(text.trim());
  if (!m) return null;
  const [, y, mo, d, h, mi, s, ms] = m;
  const year = Number(y), month = Number(mo), day = Number(d), hour = Number(h), minute = Number(mi);
  const second = s === undefined ? 0 : Number(s);
  const millis = ms === undefined ? 0 : Number(ms.padEnd(3, '0'));
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) return null;
  const utc = Date.UTC(year, month - 1, day, hour, minute, second, millis);
  const check = new Date(utc);
  if (check.getUTCDate() !== day || check.getUTCMonth() !== month - 1) return null;
  return utc - MSK_OFFSET_MS;
}
