/**
 * @module filter
 * The `filter` parameter (REFERENCE §2.3): `field<op>value` joined by `;` (`\;` escapes a
 * literal semicolon), operators `= != > < >= <= ~ ~= =~ !~`, repeated `=` is OR, repeated `!=`
 * is AND, different fields are ANDed, reference fields compare full hrefs, dates are Moscow time.
 */

import { parseMoscow } from '../../core/moscow-time.js';
import { MsError, msErrors } from '../http/ms-error.js';

export type Op = '=' | '!=' | '>' | '<' | '>=' | '<=' | '~' | '~=' | '=~' | '!~';
export interface Condition {
  field: string;
  op: Op;
  value: string;
}

const OPS: Op[] = ['!=', '!~', '>=', '<=', '~=', '=~', '=', '>', '<', '~'];

/** Splits on `sep` except where escaped with a backslash; `\;` becomes `;`. */
export function splitEscaped(text: string, sep = ';'): string[] {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '\\' && text[i + 1] === sep) {
      cur += sep;
      i++;
    } else if (ch === sep) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out.filter((s) => s.length > 0);
}

export function parseFilter(text: string | undefined): Condition[] {
  if (text === undefined || text === '') return [];
  const conds: Condition[] = [];
  for (const part of splitEscaped(text)) {
    const i = part.search(/[=!<>~]/);
    if (i <= 0) throw msErrors.badFilter(`Неверное условие фильтрации: '${part}'`);
    const field = part.slice(0, i);
    const rest = part.slice(i);
    const op = OPS.find((o) => rest.startsWith(o));
    if (!op) throw msErrors.badFilter(`Неверный оператор в условии фильтрации: '${part}'`);
    conds.push({ field: field.trim(), op, value: rest.slice(op.length) });
  }
  return conds;
}

export type FieldKind = 'string' | 'number' | 'date' | 'uuid' | 'bool' | 'ref' | 'enum';

/** How a field is read from a row and which operators it takes. */
export interface FieldSpec {
  kind: FieldKind;
  /** Returns the row's value: string/number/boolean, ms for dates, id for refs, undefined when empty. */
  get: (row: never) => unknown;
  /** For refs: the entity type the href must name. */
  refType?: string;
}

const OPS_BY_KIND: Record<FieldKind, Op[]> = {
  string: ['=', '!=', '~', '~=', '=~', '!~'],
  number: ['=', '!=', '>', '<', '>=', '<='],
  date: ['=', '!=', '>', '<', '>=', '<='],
  uuid: ['=', '!='],
  bool: ['=', '!='],
  ref: ['=', '!='],
  enum: ['=', '!='],
};

export interface FilterOptions {
  /** Origins the emulator answers on (hrefs elsewhere give 1059). */
  origins: string[];
}

type Test = (v: unknown) => boolean;

function parseHrefId(value: string, spec: FieldSpec, field: string, opts: FilterOptions): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw msErrors.badFilterValue(`Неверное значение '${value}' параметра фильтрации '${field}'`);
  }
  if (!opts.origins.includes(url.origin)) throw msErrors.foreignHref(value);
  const segs = url.pathname.split('/').filter(Boolean);
  const id = segs[segs.length - 1] ?? '';
  const type = segs[segs.length - 2] ?? '';
  if (spec.refType && type !== spec.refType) {
    throw msErrors.badFilterValue(`Неверное значение '${value}' параметра фильтрации '${field}'`);
  }
  return id;
}

function convert(spec: FieldSpec, field: string, value: string, opts: FilterOptions): unknown {
  switch (spec.kind) {
    case 'number': {
      const n = Number(value);
      if (value.trim() === '' || !Number.isFinite(n)) throw msErrors.badFilterValue(`Неверное значение '${value}' параметра фильтрации '${field}'`);
      return n;
    }
    case 'date': {
      const ms = parseMoscow(value);
      if (ms === null) throw msErrors.badDate(value);
      return ms;
    }
    case 'bool':
      if (value !== 'true' && value !== 'false') throw msErrors.badFilterValue(`Неверное значение '${value}' параметра фильтрации '${field}'`);
      return value === 'true';
    case 'ref':
      return parseHrefId(value, spec, field, opts);
    default:
      return value;
  }
}

const isEmpty = (v: unknown): boolean => v === undefined || v === null || v === '';

/** Compiles conditions into one predicate over rows, validating fields, operators and values. */
export function compileFilter<R>(conds: Condition[], fields: Record<string, FieldSpec>, opts: FilterOptions): (row: R) => boolean {
  const byField = new Map<string, Condition[]>();
  for (const c of conds) {
    const list = byField.get(c.field) ?? [];
    list.push(c);
    byField.set(c.field, list);
  }
  const tests: { get: (row: R) => unknown; test: Test }[] = [];
  for (const [field, list] of byField) {
    const spec = fields[field];
    if (!spec) throw msErrors.badFilter(`Фильтрация по полю '${field}' не поддерживается`);
    const get = spec.get as (row: R) => unknown;
    const eqs = list.filter((c) => c.op === '=');
    const others = list.filter((c) => c.op !== '=');
    for (const c of list) {
      if (!OPS_BY_KIND[spec.kind].includes(c.op)) {
        throw msErrors.badFilter(`Оператор '${c.op}' не поддерживается для поля '${field}'`);
      }
    }
    if (eqs.length && others.some((c) => c.op !== '!=' && c.op !== '~' && c.op !== '~=' && c.op !== '=~' && c.op !== '!~')) {
      throw new MsError(412, 1034, `Нельзя совмещать условие '=' и диапазон для поля '${field}'`, 'filter');
    }
    if (eqs.length) {
      const values = eqs.map((c) => (c.value === '' ? undefined : convert(spec, field, c.value, opts)));
      const set = new Set(values);
      tests.push({ get, test: (v) => (isEmpty(v) ? set.has(undefined) : set.has(v)) });
    }
    for (const c of others) {
      if (c.op === '!=' && c.value === '') {
        tests.push({ get, test: (v) => !isEmpty(v) });
        continue;
      }
      const target = convert(spec, field, c.value, opts);
      if (spec.kind === 'string') {
        const t = String(target).toLowerCase();
        switch (c.op) {
          case '!=':
            tests.push({ get, test: (v) => v !== target });
            break;
          case '~':
            tests.push({ get, test: (v) => typeof v === 'string' && v.toLowerCase().includes(t) });
            break;
          case '!~':
            tests.push({ get, test: (v) => !(typeof v === 'string' && v.toLowerCase().includes(t)) });
            break;
          case '~=':
            tests.push({ get, test: (v) => typeof v === 'string' && v.toLowerCase().startsWith(t) });
            break;
          case '=~':
            tests.push({ get, test: (v) => typeof v === 'string' && v.toLowerCase().endsWith(t) });
            break;
          default:
            break;
        }
        continue;
      }
      const n = target as number;
      switch (c.op) {
        case '!=':
          tests.push({ get, test: (v) => v !== target });
          break;
        case '>':
          tests.push({ get, test: (v) => typeof v === 'number' && v > n });
          break;
        case '<':
          tests.push({ get, test: (v) => typeof v === 'number' && v < n });
          break;
        case '>=':
          tests.push({ get, test: (v) => typeof v === 'number' && v >= n });
          break;
        case '<=':
          tests.push({ get, test: (v) => typeof v === 'number' && v <= n });
          break;
        default:
          break;
      }
    }
  }
  if (tests.length === 0) return () => true;
  return (row: R) => {
    for (const t of tests) if (!t.test(t.get(row))) return false;
    return true;
  };
}
