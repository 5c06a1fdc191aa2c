/**
 * @module list
 * Runs filter + search + order over a collection and caches the matching rows per account
 * version, so paging 100,000 rows costs one filter/sort pass, not one per page.
 */

import type { EmulatorAccount } from '../state/account.js';
import type { Entity, EntityType } from '../state/types.js';
import { compileFilter, parseFilter, type Condition, type FilterOptions } from './filter.js';
import { compileOrder, parseOrder } from './order.js';
import { ARCHIVABLE, fieldSpecs, searchPredicate } from './fields.js';

interface CacheEntry {
  version: number;
  rows: Entity[];
}

const caches = new WeakMap<EmulatorAccount, Map<string, CacheEntry>>();

export interface ListQuery {
  filter?: string;
  order?: string;
  search?: string;
}

/** Returns all matching rows (not yet paged). */
export function queryRows(account: EmulatorAccount, type: EntityType, q: ListQuery, opts: FilterOptions, source?: Entity[]): Entity[] {
  const key = `${type}\u0000${q.filter ?? ''}\u0000${q.order ?? ''}\u0000${q.search ?? ''}\u0000${source ? 'src' : ''}`;
  let cache = caches.get(account);
  if (!cache) {
    cache = new Map();
    caches.set(account, cache);
  }
  const hit = source ? undefined : cache.get(key);
  if (hit && hit.version === account.version) return hit.rows;

  const specs = fieldSpecs(type, account);
  const conds: Condition[] = parseFilter(q.filter);
  const hasArchived = conds.some((c) => c.field === 'archived');
  const hasId = conds.some((c) => c.field === 'id');
  let effective = conds;
  if (hasId && hasArchived) effective = conds.filter((c) => c.field !== 'archived');
  if (!hasArchived && !hasId && ARCHIVABLE.has(type)) effective = [...conds, { field: 'archived', op: '=', value: 'false' }];
  const pred = compileFilter<Entity>(effective, specs, opts);
  const cmp = compileOrder<Entity>(parseOrder(q.order), specs);
  const search = q.search ? searchPredicate(type, q.search) : undefined;
  const all = source ?? account.rows(type);
  let rows = all.filter((e) => pred(e) && (!search || search(e)));
  if (cmp) rows = rows.slice().sort(cmp);
  if (!source) {
    if (cache.size > 16) cache.clear();
    cache.set(key, { version: account.version, rows });
  }
  return rows;
}
