/**
 * @module data-quality-texts
 * B5/E4 what each data-quality reason means, for people: Russian (the API's `reasonText`, the admin
 * panel) and English (the admin panel with `?lang=en`). Keyed by the closed union
 * `DataQualityReason`, so a new reason in `DATA_QUALITY_REASONS` fails the type check until its
 * line is added here — one line per reason.
 */
import type { PriceListIssueReason } from '../../store/schema.js';
import type { DataQualityReason } from './product-mapper.js';

/** Every reason a product is reported for: the nomenclature's (B5) and the price lists' (C3). */
export type ReportedReason = DataQualityReason | PriceListIssueReason;

export const DATA_QUALITY_REASON_TEXTS: Readonly<Record<ReportedReason, { ru: string; en: string }>> = {
  'empty-code': { ru: 'пустой код', en: 'empty code' },
  'empty-article': { ru: 'пустой артикул', en: 'empty article' },
  'empty-brand': { ru: 'пустой бренд', en: 'empty brand' },
  'article-not-at-end': { ru: 'артикул не в конце кода', en: 'article not at the end of the code' },
  'duplicate-brand-article': { ru: 'дубль бренда и артикула', en: 'duplicate brand and article' },
  'parent-not-synced': { ru: 'модификация без своего кода и артикула, а её товар не синхронизирован', en: 'variant without its own code and article whose product is not synced' },
  'no-price': { ru: 'нет цены', en: 'no price' },
};

/** The text of a stored reason in a language; an unknown stored value is shown as is. */
export function dataQualityReasonText(reason: string, lang: 'ru' | 'en'): string {
  const texts = (DATA_QUALITY_REASON_TEXTS as Readonly<Record<string, { ru: string; en: string }>>)[reason];
  return texts ? texts[lang] : reason;
}
