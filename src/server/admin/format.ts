/**
 * @module format
 * How the admin panel writes numbers, money, times and intervals for shop staff: through `Intl`,
 * in the page's language (Russian `13 040,00 ₽`, `03.12.2026, 22:09`; English `RUB 13,040.00`),
 * times in Moscow time (what MoySklad and the shop read).
 */
import type { Lang } from './i18n.js';

const LOCALE: Record<Lang, string> = { ru: 'ru-RU', en: 'en-GB' };
const moneyFormats = new Map<Lang, Intl.NumberFormat>();
const timeFormats = new Map<Lang, Intl.DateTimeFormat>();
const numberFormats = new Map<Lang, Intl.NumberFormat>();

/** Integer kopecks → `13 040,00 ₽` (ru) / `RUB 13,040.00` (en). */
export function formatMoney(kopecks: number | null | undefined, lang: Lang = 'ru'): string {
  if (kopecks === null || kopecks === undefined) return '—';
  let f = moneyFormats.get(lang);
  if (!f) moneyFormats.set(lang, (f = new Intl.NumberFormat(LOCALE[lang], { style: 'currency', currency: 'RUB', minimumFractionDigits: 2, maximumFractionDigits: 2 })));
  // Whole roubles and the kopecks apart, so that no float rounding touches the kopecks.
  const sign = kopecks < 0 ? -1 : 1;
  const abs = Math.abs(Math.round(kopecks));
  return f.format(sign * (Math.floor(abs / 100) + (abs % 100) / 100));
}

/** A plain number with the language's grouping (`12 345`). */
export function formatNumber(n: number, lang: Lang = 'ru'): string {
  let f = numberFormats.get(lang);
  if (!f) numberFormats.set(lang, (f = new Intl.NumberFormat(LOCALE[lang], { maximumFractionDigits: 3 })));
  return f.format(n);
}

/** ISO UTC → `03.12.2026, 22:09:16` in Moscow time; `—` for none. */
export function formatDateTime(iso: string | null | undefined, lang: Lang = 'ru'): string {
  if (!iso) return '—';
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return '—';
  let f = timeFormats.get(lang);
  if (!f) {
    f = new Intl.DateTimeFormat(LOCALE[lang], { timeZone: 'Europe/Moscow', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
    timeFormats.set(lang, f);
  }
  return f.format(new Date(ms));
}

/** A run's duration: `350 мс`, `1,2 с`, `2 мин 5 с`. */
export function formatDuration(ms: number | null | undefined, lang: Lang = 'ru'): string {
  if (ms === null || ms === undefined) return '—';
  const u = lang === 'ru' ? { ms: 'мс', s: 'с', min: 'мин' } : { ms: 'ms', s: 's', min: 'min' };
  if (ms < 1000) return `${formatNumber(ms, lang)} ${u.ms}`;
  const s = ms / 1000;
  if (s < 60) return `${new Intl.NumberFormat(LOCALE[lang], { maximumFractionDigits: 1 }).format(s)} ${u.s}`;
  return `${Math.floor(s / 60)} ${u.min} ${Math.round(s % 60)} ${u.s}`;
}

/** A schedule in minutes: «каждые 15 мин», «каждый час», «каждые 3 ч», «раз в сутки». */
export function formatInterval(minutes: number, lang: Lang = 'ru'): string {
  if (lang === 'en') {
    if (minutes === 1440) return 'once a day';
    if (minutes === 60) return 'every hour';
    if (minutes % 1440 === 0) return `every ${minutes / 1440} days`;
    if (minutes % 60 === 0) return `every ${minutes / 60} hours`;
    return `every ${minutes} min`;
  }
  if (minutes === 1440) return 'раз в сутки';
  if (minutes === 60) return 'каждый час';
  if (minutes % 1440 === 0) return `каждые ${minutes / 1440} сут.`;
  if (minutes % 60 === 0) return `${minutes / 60 === 1 ? 'каждый' : 'каждые'} ${minutes / 60} ч`;
  return `${minutes % 10 === 1 && minutes % 100 !== 11 ? 'каждую' : 'каждые'} ${minutes} мин`;
}

/** Percent of `done` of `total` (0–100, whole), null when the total is unknown. */
export function percentOf(done: number, total: number | null | undefined): number | null {
  if (!total || total <= 0) return null;
  return Math.max(0, Math.min(100, Math.floor((done / total) * 100)));
}
