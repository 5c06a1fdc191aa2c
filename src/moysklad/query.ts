/**
 * @module moysklad/query
 * Query-string building for MoySklad lists (REFERENCE §2.2–2.3): `filter`, `order`, `expand`,
 * `limit`, `offset`, `search` and any other parameter. Values are percent-encoded with
 * `encodeURIComponent` (spaces as %20, never `+`).
 */
import { formatMoscow } from '../core/moscow-time.js';

export type FilterOp = '=' | '!=' | '>' | '<' | '>=' | '<=' | '~' | '~=' | '=~';

/** A reference value is filtered by its full href. */
export type FilterValue = string | number | boolean | Date | null | { meta: { href: string } };

/** One condition `field op value`; repeated `=` on a field means OR, different fields mean AND. */
export type FilterCondition = readonly [field: string, op: FilterOp, value: FilterValue];

/** A filter: ready-made text or a list of conditions. */
export type Filter = string | readonly FilterCondition[];

/** Formats a filter value: dates as `yyyy-MM-dd HH:mm:ss` in Moscow time, `;` escaped as `\;`. */
export function filterValue(value: FilterValue): string {
  if (value === null) return '';
  if (value instanceof Date) return formatMoscow(value, false);
  if (typeof value === 'object') return escapeFilterText(value.meta.href);
  if (typeof value === 'string') return escapeFilterText(value);
  return String(value);
}

/** Escapes a literal `;` inside a filter value (`\;`). */
export function escapeFilterText(text: string): string {
  return text.replace(/;/g, '\\;');
}

/** Builds the text of the `filter` parameter: `updated>=2026-11-29 12:00:00;archived=false`. */
export function buildFilter(filter: Filter): string {
  if (typeof filter === 'string') return filter;
  return filter.map(([field, op, value]) => `${field}${op}${filterValue(value)}`).join(';');
}

export type OrderSpec = string | ReadonlyArray<readonly [field: string, dir?: 'asc' | 'desc'] | string>;

/** `order=name,desc;code` */
export function buildOrder(order: OrderSpec): string {
  if (typeof order === 'string') return order;
  return order.map((o) => (typeof o === 'string' ? o : o[1] ? `${o[0]},${o[1]}` : o[0])).join(';');
}

export type QueryValue = string | number | boolean | undefined | null;

export interface ListQuery {
  filter?: Filter;
  order?: OrderSpec;
  /** Reference fields to expand (`positions.assortment`); honoured by MoySklad only with limit ≤ 100. */
  expand?: string | readonly string[];
  limit?: number;
  offset?: number;
  search?: string;
  /** Any other parameter (`stockType`, `include`, `changedSince`, `fields`, `groupBy`…). */
  [param: string]: Filter | OrderSpec | string | readonly string[] | QueryValue;
}

const enc = (s: string): string => encodeURIComponent(s);

/** Builds `?a=b&…` (empty string when nothing is set). Undefined and null parameters are left out. */
export function buildQuery(query: ListQuery | undefined): string {
  if (!query) return '';
  const parts: string[] = [];
  for (const [key, raw] of Object.entries(query)) {
    if (raw === undefined || raw === null) continue;
    let text: string;
    if (key === 'filter') text = buildFilter(raw as Filter);
    else if (key === 'order') text = buildOrder(raw as OrderSpec);
    else if (key === 'expand') text = typeof raw === 'string' ? raw : (raw as readonly string[]).join(',');
    else if (raw instanceof Date) text = formatMoscow(raw, false);
    else if (Array.isArray(raw)) text = raw.join(',');
    else text = String(raw);
    if (key === 'filter' && text === '') continue;
    parts.push(`${enc(key)}=${enc(text)}`);
  }
  return parts.length ? `?${parts.join('&')}` : '';
}
