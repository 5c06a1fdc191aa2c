/**
 * @module counterparty-match
 * R25–R27, B6, C13: how a store client or supplier finds its MoySklad counterparty.
 * Pure rules, no I/O: the caller fetches the candidates (MoySklad counterparties that share
 * any of the keys) and applies the decision.
 */
import { normalizeEmail, normalizeInn } from '../core/normalize.js';
import { normalizePhone, phoneKeys } from './phone.js';

export type CounterpartyKind = 'client' | 'supplier';
export const matchKeys = ['inn', 'email', 'phone'] as const;
export type MatchKey = (typeof matchKeys)[number];

export interface StoreCounterpartyKeys {
  kind: CounterpartyKind;
  inn?: string | null;
  email?: string | null;
  phone?: string | null;
  /** C13 the default country of phone numbers written without `+` (the region's; RU when absent). */
  country?: string;
}

export interface MoySkladCandidate {
  id: string;
  name?: string;
  inn?: string | null;
  email?: string | null;
  phone?: string | null;
  /**
   * R27: the kind of the store counterparty this MoySklad counterparty is already linked to, if any.
   * A MoySklad counterparty linked to a store supplier is never taken for a store client, and vice versa.
   */
  linkedKind?: CounterpartyKind | null;
}

export type MatchDecision =
  | { outcome: 'matched'; by: MatchKey; msId: string }
  | { outcome: 'ambiguous'; by: MatchKey; candidateIds: string[] }
  | { outcome: 'none'; excludedByKind: string[] };

const keyOf = (key: MatchKey, value: string | null | undefined, country: string | undefined): string | null => {
  switch (key) {
    case 'inn':
      return normalizeInn(value);
    case 'email':
      return normalizeEmail(value);
    case 'phone':
      return normalizePhone(value, country);
  }
};

/** MoySklad keeps several phones or emails in one field separated by commas or semicolons. */
const candidateKeys = (key: MatchKey, value: string | null | undefined, country: string | undefined): Set<string> => {
  if (key === 'phone') return new Set(phoneKeys(value, country));
  const out = new Set<string>();
  if (!value) return out;
  for (const part of value.split(/[,;]/)) {
    const k = keyOf(key, part, country);
    if (k) out.add(k);
  }
  return out;
};

/**
 * R25 Decides the link for one store counterparty: INN first, then email, then phone.
 * A key that matches exactly one candidate links it. A key that matches several is narrowed by the
 * lower-priority keys among those candidates; if that still leaves more than one, the decision is
 * `ambiguous` and nothing is linked (the module never guesses). `none` means create one (R26).
 */
export function matchCounterparty(store: StoreCounterpartyKeys, candidates: readonly MoySkladCandidate[]): MatchDecision {
  const excludedByKind = candidates.filter((c) => c.linkedKind && c.linkedKind !== store.kind).map((c) => c.id);
  const eligible = candidates.filter((c) => !c.linkedKind || c.linkedKind === store.kind);

  for (const [i, key] of matchKeys.entries()) {
    const wanted = keyOf(key, store[key], store.country);
    if (!wanted) continue;
    const hits = eligible.filter((c) => candidateKeys(key, c[key], store.country).has(wanted));
    if (hits.length === 0) continue;
    if (hits.length === 1) return { outcome: 'matched', by: key, msId: hits[0]!.id };
    let narrowed = hits;
    for (const lower of matchKeys.slice(i + 1)) {
      const w = keyOf(lower, store[lower], store.country);
      if (!w) continue;
      const n = narrowed.filter((c) => candidateKeys(lower, c[lower], store.country).has(w));
      if (n.length === 1) return { outcome: 'matched', by: key, msId: n[0]!.id };
      if (n.length > 1) narrowed = n;
    }
    return { outcome: 'ambiguous', by: key, candidateIds: narrowed.map((c) => c.id) };
  }
  return { outcome: 'none', excludedByKind };
}

/** The MoySklad `companyType` for a store counterparty: legal entities by a 10-digit INN, entrepreneurs by 12. */
export function companyTypeFor(inn: string | null | undefined, declared?: 'legal' | 'entrepreneur' | 'individual' | null): 'legal' | 'entrepreneur' | 'individual' {
  if (declared) return declared;
  const n = normalizeInn(inn);
  if (n?.length === 10) return 'legal';
  if (n?.length === 12) return 'entrepreneur';
  return 'individual';
}
