/**
 * @module time-zone
 * C14 IANA time zone names (`Europe/Moscow`, `Asia/Vladivostok`), validated by the runtime's own
 * time zone database (Intl). Abbreviations (`MSK`) and bare offsets (`+03:00`) are refused: a
 * zone name follows its daylight-saving rules, an offset does not.
 */

/** The zone of a region that does not say (Moscow time, in which MoySklad itself speaks). */
export const DEFAULT_TIME_ZONE = 'Europe/Moscow';

/** The canonical spelling of an IANA zone (`europe/moscow` → `Europe/Moscow`), or null when it is not one. */
export function canonicalTimeZone(name: string | null | undefined): string | null {
  const text = name?.trim();
  if (!text) return null;
  try {
    const resolved = new Intl.DateTimeFormat('en-US', { timeZone: text }).resolvedOptions().timeZone;
    return resolved === 'UTC' || resolved.includes('/') ? resolved : null;
  } catch {
    return null;
  }
}

export const isTimeZone = (name: string | null | undefined): boolean => canonicalTimeZone(name) !== null;
