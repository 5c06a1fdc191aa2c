/**
 * @module counterparty-update
 * C11: which changes of a store client or supplier MoySklad must hear about, and what the PUT says.
 * Pure rules, no I/O.
 *
 * The store OWNS four fields of a linked MoySklad counterparty: name, INN, e-mail and phone. A
 * PATCH that changes any of them (as stored: trimmed text; an INN compared by its digits) is sent;
 * the PUT names only the fields that changed, so what MoySklad users keep in the card (legal
 * title, addresses, tags, accounts, a second phone the store never had, …) is never overwritten.
 * A cleared field is sent as null (MoySklad clears it).
 */
import { normalizeInn } from '../core/normalize.js';

export const OWNED_COUNTERPARTY_FIELDS = ['name', 'inn', 'email', 'phone'] as const;
export type OwnedCounterpartyField = (typeof OWNED_COUNTERPARTY_FIELDS)[number];

export const isOwnedCounterpartyField = (v: unknown): v is OwnedCounterpartyField => typeof v === 'string' && (OWNED_COUNTERPARTY_FIELDS as readonly string[]).includes(v);

export type OwnedValues = Record<OwnedCounterpartyField, string | null>;

const text = (v: string | null | undefined): string | null => {
  const t = v?.trim();
  return t ? t : null;
};

/** The value MoySklad gets for a field (INN as its digits when it is a valid INN). */
export function msValueOf(field: OwnedCounterpartyField, values: OwnedValues): string | null {
  const v = text(values[field]);
  if (field === 'inn' && v !== null) return normalizeInn(v) ?? v;
  return v;
}

/** C11 the owned fields whose MoySklad value differs between two versions of the store row, in the order of `OWNED_COUNTERPARTY_FIELDS`. */
export function changedOwnedFields(before: OwnedValues, after: OwnedValues): OwnedCounterpartyField[] {
  return OWNED_COUNTERPARTY_FIELDS.filter((f) => msValueOf(f, before) !== msValueOf(f, after));
}

/** C11 the PUT body: the listed fields with their current store values (name is never cleared: MoySklad requires one). */
export type CounterpartyPut = { name?: string } & Partial<Record<Exclude<OwnedCounterpartyField, 'name'>, string | null>>;

export function counterpartyPutBody(fields: Iterable<OwnedCounterpartyField>, current: OwnedValues): CounterpartyPut {
  const out: CounterpartyPut = {};
  const wanted = new Set(fields);
  for (const f of OWNED_COUNTERPARTY_FIELDS) {
    if (!wanted.has(f)) continue;
    const v = msValueOf(f, current);
    if (f === 'name') {
      if (v !== null) out.name = v;
    } else out[f] = v;
  }
  return out;
}

/** The outbox kind of a counterparty PUT (C11): written by `app/counterparty-service.ts`, sent by `sync/counterparties/counterparty-outbox.ts`. */
export const COUNTERPARTY_UPDATE_KIND = 'counterparty.update';
/** Outbox aggregate of a counterparty PUT: one per (store counterparty, MoySklad account). */
export const COUNTERPARTY_AGGREGATE = 'counterparty';
export const counterpartyAggregateId = (counterpartyId: number, msAccountId: number): string => `${counterpartyId}@${msAccountId}`;

/** What a `counterparty.update` outbox row carries. */
export interface CounterpartyUpdatePayload {
  counterpartyId: number;
  msAccountId: number;
  fields: OwnedCounterpartyField[];
}
