/**
 * @module schema/counterparties
 * Clients and suppliers, their MoySklad links and ambiguous matches (R25).
 */
import type { ColumnType } from 'kysely';
import type { IsoTime, JsonText, Id, SearchTextColumn } from './columns.js';

export type CounterpartyKind = 'client' | 'supplier';
export type CompanyType = 'legal' | 'entrepreneur' | 'individual';

export interface CounterpartiesTable {
  id: Id;
  /** R27 a counterparty is a client or a supplier, never both. */
  kind: CounterpartyKind;
  /** The platform's id; unique per kind. */
  externalId: string;
  regionId: number | null;
  name: string;
  companyType: ColumnType<CompanyType, CompanyType | undefined, CompanyType>;
  inn: string | null;
  innNorm: string | null;
  email: string | null;
  emailNorm: string | null;
  phone: string | null;
  phoneNorm: string | null;
  /** Migration 0024 (E6): `searchTextOf(name, inn, email, phone)`, recomputed on every write. */
  searchText: SearchTextColumn;
  createdAt: IsoTime;
  updatedAt: IsoTime;
}

export type MatchedBy = 'id' | 'inn' | 'email' | 'phone' | 'created';

export interface CounterpartyLinksTable {
  id: Id;
  counterpartyId: number;
  msAccountId: number;
  msCounterpartyId: string;
  matchedBy: MatchedBy;
  linkedAt: IsoTime;
}

/** Ambiguous matches (R25) for the admin panel. */
export interface CounterpartyMatchIssuesTable {
  id: Id;
  counterpartyId: number;
  msAccountId: number;
  reason: string;
  /** JSON array of candidate MoySklad counterparties. */
  candidates: JsonText;
  detectedAt: IsoTime;
  resolvedAt: IsoTime | null;
}
