/**
 * @module phone
 * C13, B6: phone numbers as match keys, normalized to E.164 (`+79123456789`) by a maintained
 * library (libphonenumber-js), for Russia and the CIS.
 *
 * - The default country is the region's (ISO 3166-1 alpha-2, `RU` when unknown): it decides how a
 *   number written without `+` is read (`8 912 …` and `912 …` in Russia, `8 029 …` in Belarus).
 * - Prefixes 8 / 7 / +7, spaces, brackets, dashes and dots are all accepted; an extension
 *   (`доб. 12`, `ext. 12`, `x12`, `#12`) is ignored for matching.
 * - A number that starts with the default country's calling code but has no `+` (`7 912 345 67 89`
 *   in Kazakhstan, `375 29 …` in Belarus) is read as international when the national reading is not
 *   valid; other digits are never guessed into a foreign country (`495 331 22 33` is not German).
 * - Only a VALID number (libphonenumber's metadata for its country) is a key: placeholders such as
 *   `+7 (000) 000-00-00` or a short `123` give null — no key, so never a false match.
 *
 * MoySklad keeps several numbers in one free-text field separated by `,` or `;`: `phoneKeys`
 * returns the key of each.
 */
import { getCountryCallingCode, parsePhoneNumberFromString, type CountryCode, type PhoneNumber } from 'libphonenumber-js';

/** The default country of a region without one. */
export const DEFAULT_PHONE_COUNTRY = 'RU';

/** Countries offered for regions (Russia and the CIS): ISO 3166-1 alpha-2. */
export const REGION_COUNTRIES = ['RU', 'BY', 'KZ', 'UZ', 'KG', 'AM', 'AZ', 'TJ', 'MD', 'GE', 'TM'] as const;
export type RegionCountry = (typeof REGION_COUNTRIES)[number];

export const isRegionCountry = (v: unknown): v is RegionCountry => typeof v === 'string' && (REGION_COUNTRIES as readonly string[]).includes(v);

/** An extension marker and its digits at the end of a number (libphonenumber knows most; `доб.` is spelled out for clarity). */
const EXTENSION = /\s*(?:доб(?:авочный)?\.?|ext\.?|x|#)\s*\d{1,7}\s*$/iu;

function parse(text: string, country: CountryCode): PhoneNumber | undefined {
  try {
    return parsePhoneNumberFromString(text, country);
  } catch {
    return undefined;
  }
}

/**
 * C13 One phone number as E.164 (`+74953312233`), or null when it cannot be a phone number.
 * `495 331 22 33`, `+7 495 331 22 33`, `8 (495) 331-22-33 доб. 12` all give `+74953312233` in Russia.
 */
export function normalizePhone(raw: string | null | undefined, country: string = DEFAULT_PHONE_COUNTRY): string | null {
  if (!raw) return null;
  const text = raw.normalize('NFKC').replace(EXTENSION, '').trim();
  if (!/\d/.test(text)) return null;
  const region = (isRegionCountry(country) ? country : DEFAULT_PHONE_COUNTRY) as CountryCode;
  const national = parse(text, region);
  if (national?.isValid()) return national.number;
  const digits = text.replace(/\D+/g, '');
  if (!text.startsWith('+') && digits.startsWith(getCountryCallingCode(region))) {
    // `7 912 345 67 89` in Kazakhstan, `375 29 …` in Belarus: the country code written without `+`.
    const international = parse(`+${digits}`, region);
    if (international?.isValid()) return international.number;
  }
  return null;
}

/** The keys of every number in a free-text field (`+7 912 …, 8 495 …`), without duplicates. */
export function phoneKeys(raw: string | null | undefined, country: string = DEFAULT_PHONE_COUNTRY): string[] {
  if (!raw) return [];
  const out = new Set<string>();
  for (const part of raw.split(/[,;]/)) {
    const key = normalizePhone(part, country);
    if (key) out.add(key);
  }
  return [...out];
}

/** C13 a valid number in at least one of the region countries (API input check; the key itself needs the region's country). */
export const isPhoneNumber = (raw: string | null | undefined): boolean => REGION_COUNTRIES.some((c) => normalizePhone(raw, c) !== null);
