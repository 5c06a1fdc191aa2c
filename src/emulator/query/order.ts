/**
 * @module order
 * The `order` parameter: `field[,asc|desc]` joined by `;` (REFERENCE §2.2). Only scalar fields sort.
 */

import { MsError, msErrors } from '../http/ms-error.js';
import type { FieldSpec } from './filter.js';

export interface OrderKey {
  field: string;
  desc: boolean;
}

export function parseOrder(text: string | undefined): OrderKey[] {
  if (!text) return [];
  return text
    .split(';')
    .filter(Boolean)
    .map((part) => {
      const [field = '', dir = 'asc', extra] = part.split(',');
      if (extra !== undefined || (dir !== 'asc' && dir !== 'desc') || field === '') {
        throw new MsError(412, 1063, `Неверный параметр сортировки: '${part}'`, 'order');
      }
      return { field, desc: dir === 'desc' };
    });
}

/** Builds a comparator; empty values sort first in ascending order. */
export function compileOrder<R>(keys: OrderKey[], fields: Record<string, FieldSpec>): ((a: R, b: R) => number) | undefined {
  if (keys.length === 0) return undefined;
  const getters = keys.map((k) => {
    const spec = fields[k.field];
    if (!spec || spec.kind === 'ref') throw msErrors.badOrder(k.field);
    return { get: spec.get as (r: R) => unknown, sign: k.desc ? -1 : 1 };
  });
  return (a, b) => {
    for (const g of getters) {
      const x = g.get(a);
      const y = g.get(b);
      if (x === y) continue;
      if (x === undefined || x === null) return -g.sign;
      if (y === undefined || y === null) return g.sign;
      if (typeof x === 'boolean' || typeof y === 'boolean') return (Number(x) - Number(y)) * g.sign;
      if (typeof x === 'string' && typeof y === 'string') {
        const lx = x.toLowerCase();
        const ly = y.toLowerCase();
        if (lx !== ly) return (lx < ly ? -1 : 1) * g.sign;
      }
      return (x < y ? -1 : x > y ? 1 : 0) * g.sign;
    }
    return 0;
  };
}
