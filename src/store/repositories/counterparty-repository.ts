/**
 * @module counterparty-repository
 * Clients and suppliers (R3, R24–R28). A counterparty is one kind only (R27); normal forms of
 * INN, email and phone (B6; phones E.164 with the region's country, C13) are computed here on every write. Links to MoySklad counterparties
 * are kept per MoySklad account.
 */
import type { Clock } from '../../core/clock.js';
import { ConflictError, NotFoundError } from '../../core/errors.js';
import { normalizeEmail, normalizeInn } from '../../core/normalize.js';
import { DEFAULT_PHONE_COUNTRY, normalizePhone, REGION_COUNTRIES } from '../../domain/phone.js';
import { nowIso } from '../database.js';
import type { Db } from '../db.js';
import { isUniqueViolation } from '../db-errors.js';
import { RegionRepository } from './region-repository.js';
import type { CompanyType, CounterpartyKind, CounterpartyLinkRow, CounterpartyRow, MatchedBy } from '../schema.js';
import { searchTextOf } from '../../domain/search-text.js';
import { searchTextContains } from '../search-filter.js';

export type Counterparty = CounterpartyRow;
export type CounterpartyLink = CounterpartyLinkRow;

export interface CounterpartyInput {
  kind: CounterpartyKind;
  externalId: string;
  regionId?: number | null;
  name: string;
  companyType?: CompanyType;
  inn?: string | null;
  email?: string | null;
  phone?: string | null;
}

export type CounterpartyPatch = Partial<Omit<CounterpartyInput, 'kind' | 'externalId'>>;

export interface ListCounterpartiesOptions {
  kind?: CounterpartyKind;
  limit?: number;
  afterId?: number;
}

/** What the counterparty search filters by (each optional). */
export interface CounterpartySearch {
  externalId?: string | undefined;
  q?: string | undefined;
}

export class CounterpartyRepository {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  async create(input: CounterpartyInput): Promise<Counterparty> {
    const at = nowIso(this.clock);
    try {
      return await this.db
        .insertInto('counterparties')
        .values({
          kind: input.kind,
          externalId: input.externalId,
          regionId: input.regionId ?? null,
          name: input.name,
          ...(input.companyType ? { companyType: input.companyType } : {}),
          ...contactColumns(input, await this.phoneCountry(input.regionId)),
          searchText: searchTextOf(input.name, input.inn, input.email, input.phone),
          createdAt: at,
          updatedAt: at,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
    } catch (e) {
      if (isUniqueViolation(e)) {
        throw new ConflictError('counterparty_exists', `${input.kind} ${input.externalId} already exists`, {
          kind: input.kind,
          externalId: input.externalId,
        });
      }
      throw e;
    }
  }

  async update(id: number, patch: CounterpartyPatch): Promise<Counterparty> {
    // C13: the phone key depends on the region's country, so a new region re-reads the stored phone.
    let contact = patch;
    let country = DEFAULT_PHONE_COUNTRY;
    if (patch.phone !== undefined || patch.regionId !== undefined) {
      const current = patch.regionId !== undefined && patch.phone === undefined ? await this.get(id) : null;
      if (current) contact = { ...patch, phone: current.phone };
      country = await this.phoneCountry(patch.regionId !== undefined ? patch.regionId : (await this.get(id)).regionId);
    }
    // E6: the search column follows the searched fields (the ones not in the patch are read back).
    const searched = (['name', 'inn', 'email', 'phone'] as const).some((k) => patch[k] !== undefined);
    const base = searched ? await this.get(id) : null;
    const value = <K extends 'name' | 'inn' | 'email' | 'phone'>(k: K) => (patch[k] !== undefined ? patch[k] : base?.[k]);
    const row = await this.db
      .updateTable('counterparties')
      .set({
        ...(patch.name !== undefined ? { name: patch.name } : {}),
        ...(patch.regionId !== undefined ? { regionId: patch.regionId } : {}),
        ...(patch.companyType !== undefined ? { companyType: patch.companyType } : {}),
        ...contactColumns(contact, country),
        ...(searched ? { searchText: searchTextOf(value('name'), value('inn'), value('email'), value('phone')) } : {}),
        updatedAt: nowIso(this.clock),
      })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst();
    if (!row) throw new NotFoundError('counterparty', id);
    return row;
  }

  /** C13 the default phone country of a counterparty of this region (RU without one). */
  phoneCountry(regionId: number | null | undefined): Promise<string> {
    return new RegionRepository(this.db, this.clock).phoneCountry(regionId);
  }

  /** C13 normalizes the stored phones of a region's counterparties again (after its country changed). */
  async renormalizeRegionPhones(regionId: number): Promise<number> {
    const country = await this.phoneCountry(regionId);
    const rows = await this.db.selectFrom('counterparties').select(['id', 'phone', 'phoneNorm']).where('regionId', '=', regionId).where('phone', 'is not', null).execute();
    let changed = 0;
    for (const r of rows) {
      const next = normalizePhone(r.phone, country);
      if (next === r.phoneNorm) continue;
      await this.db.updateTable('counterparties').set({ phoneNorm: next }).where('id', '=', r.id).execute();
      changed += 1;
    }
    return changed;
  }

  async find(id: number): Promise<Counterparty | null> {
    return (await this.db.selectFrom('counterparties').selectAll().where('id', '=', id).executeTakeFirst()) ?? null;
  }

  async get(id: number): Promise<Counterparty> {
    const c = await this.find(id);
    if (!c) throw new NotFoundError('counterparty', id);
    return c;
  }

  async findByExternalId(kind: CounterpartyKind, externalId: string): Promise<Counterparty | null> {
    return (
      (await this.db
        .selectFrom('counterparties')
        .selectAll()
        .where('kind', '=', kind)
        .where('externalId', '=', externalId)
        .executeTakeFirst()) ?? null
    );
  }

  async getByExternalId(kind: CounterpartyKind, externalId: string): Promise<Counterparty> {
    const c = await this.findByExternalId(kind, externalId);
    if (!c) throw new NotFoundError(kind, externalId);
    return c;
  }

  async list(options: ListCounterpartiesOptions = {}): Promise<Counterparty[]> {
    let q = this.db.selectFrom('counterparties').selectAll().orderBy('id');
    if (options.kind) q = q.where('kind', '=', options.kind);
    if (options.afterId !== undefined) q = q.where('id', '>', options.afterId);
    if (options.limit !== undefined) q = q.limit(options.limit);
    return q.execute();
  }

  /**
   * A page of one kind by id, with its total: by `externalId`, and/or searched (E6) by name, INN,
   * e-mail or phone as typed — the phone in its normal form in any region's country (C13: the search
   * does not know the region).
   */
  async searchPage(kind: CounterpartyKind, filter: CounterpartySearch, limit: number, offset: number): Promise<{ total: number; rows: Counterparty[] }> {
    let q = this.db.selectFrom('counterparties').where('kind', '=', kind);
    if (filter.externalId) q = q.where('externalId', '=', filter.externalId);
    const text = searchTextContains('searchText', filter.q);
    const typed = filter.q;
    if (typed && text) {
      const phones = [...new Set(REGION_COUNTRIES.map((c) => normalizePhone(typed, c)).filter((k): k is string => k !== null))];
      q = q.where((eb) =>
        eb.or([
          // E6: name, INN, e-mail or phone as typed, in any case (Cyrillic and Latin alike).
          text,
          eb('innNorm', '=', typed.replace(/\D+/g, '')),
          eb('emailNorm', '=', typed.trim().toLowerCase()),
          ...(phones.length ? [eb('phoneNorm', 'in', phones)] : []),
        ]),
      );
    }
    const { total } = await q.select((eb) => eb.fn.countAll<number>().as('total')).executeTakeFirstOrThrow();
    const rows = await q.selectAll().orderBy('id').limit(limit).offset(offset).execute();
    return { total: Number(total), rows };
  }

  async findLink(counterpartyId: number, msAccountId: number): Promise<CounterpartyLink | null> {
    return (
      (await this.db
        .selectFrom('counterpartyLinks')
        .selectAll()
        .where('counterpartyId', '=', counterpartyId)
        .where('msAccountId', '=', msAccountId)
        .executeTakeFirst()) ?? null
    );
  }

  /** P2: the links of many store counterparties for one MoySklad account. */
  async linksOf(counterpartyIds: readonly number[], msAccountId: number): Promise<CounterpartyLink[]> {
    if (counterpartyIds.length === 0) return [];
    return this.db.selectFrom('counterpartyLinks').selectAll().where('counterpartyId', 'in', [...counterpartyIds]).where('msAccountId', '=', msAccountId).execute();
  }

  /** Every MoySklad link of a store counterparty (one per MoySklad account). */
  async listLinks(counterpartyId: number): Promise<CounterpartyLink[]> {
    return this.db.selectFrom('counterpartyLinks').selectAll().where('counterpartyId', '=', counterpartyId).orderBy('msAccountId').execute();
  }

  /** R25 Stores (or replaces) the link to a MoySklad counterparty for one MoySklad account. */
  async link(counterpartyId: number, msAccountId: number, msCounterpartyId: string, matchedBy: MatchedBy): Promise<CounterpartyLink> {
    const at = nowIso(this.clock);
    return this.db
      .insertInto('counterpartyLinks')
      .values({ counterpartyId, msAccountId, msCounterpartyId, matchedBy, linkedAt: at })
      .onConflict((oc) => oc.columns(['counterpartyId', 'msAccountId']).doUpdateSet({ msCounterpartyId, matchedBy, linkedAt: at }))
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  async unlink(counterpartyId: number, msAccountId: number): Promise<void> {
    await this.db.deleteFrom('counterpartyLinks').where('counterpartyId', '=', counterpartyId).where('msAccountId', '=', msAccountId).execute();
  }

  /** Records an ambiguous match for the admin panel. */
  async addMatchIssue(counterpartyId: number, msAccountId: number, reason: string, candidates: unknown): Promise<void> {
    await this.db
      .insertInto('counterpartyMatchIssues')
      .values({ counterpartyId, msAccountId, reason, candidates: JSON.stringify(candidates), detectedAt: nowIso(this.clock), resolvedAt: null })
      .execute();
  }

  /** Whether the counterparty has an open match issue for this MoySklad account (R25: recorded once while open). */
  async hasOpenMatchIssue(counterpartyId: number, msAccountId: number): Promise<boolean> {
    const open = await this.db
      .selectFrom('counterpartyMatchIssues')
      .select('id')
      .where('counterpartyId', '=', counterpartyId)
      .where('msAccountId', '=', msAccountId)
      .where('resolvedAt', 'is', null)
      .executeTakeFirst();
    return open !== undefined;
  }

  /** R27: the store counterparties (id, kind) linked to these MoySklad counterparties of the account. */
  async linkedTo(msAccountId: number, msCounterpartyIds: readonly string[]): Promise<{ msId: string; kind: CounterpartyKind; cpId: number }[]> {
    return this.db
      .selectFrom('counterpartyLinks')
      .innerJoin('counterparties', 'counterparties.id', 'counterpartyLinks.counterpartyId')
      .select(['counterpartyLinks.msCounterpartyId as msId', 'counterparties.kind as kind', 'counterparties.id as cpId'])
      .where('counterpartyLinks.msAccountId', '=', msAccountId)
      .where('counterpartyLinks.msCounterpartyId', 'in', msCounterpartyIds)
      .execute();
  }

  /**
   * R25 after the admin linked a counterparty: the exports of its orders that failed on an ambiguous
   * match are due again (outbox rows and the orders' export state). Returns how many outbox rows.
   */
  async retryAmbiguousExports(counterpartyId: number): Promise<number> {
    const now = this.clock.now().toISOString();
    const orderIds = (await this.db.selectFrom('orders').select('id').where('counterpartyId', '=', counterpartyId).execute()).map((o) => String(o.id));
    if (orderIds.length === 0) return 0;
    const r = await this.db
      .updateTable('outbox')
      .set({ state: 'pending', nextAttemptAt: now, updatedAt: now })
      .where('aggregateType', '=', 'order')
      .where('aggregateId', 'in', orderIds)
      .where('state', '=', 'failed')
      .where('lastError', 'like', 'counterparty_ambiguous%')
      .executeTakeFirst();
    await this.db
      .updateTable('orders')
      .set({ exportState: 'pending', updatedAt: now })
      .where('counterpartyId', '=', counterpartyId)
      .where('exportState', '=', 'failed')
      .where('exportError', 'like', 'counterparty_ambiguous%')
      .execute();
    return Number(r.numUpdatedRows);
  }

  async resolveMatchIssues(counterpartyId: number, msAccountId: number): Promise<void> {
    await this.db
      .updateTable('counterpartyMatchIssues')
      .set({ resolvedAt: nowIso(this.clock) })
      .where('counterpartyId', '=', counterpartyId)
      .where('msAccountId', '=', msAccountId)
      .where('resolvedAt', 'is', null)
      .execute();
  }

  async listOpenMatchIssues(msAccountId?: number): Promise<{ id: number; counterpartyId: number; msAccountId: number; reason: string; candidates: unknown; detectedAt: string }[]> {
    let q = this.db.selectFrom('counterpartyMatchIssues').selectAll().where('resolvedAt', 'is', null).orderBy('id');
    if (msAccountId !== undefined) q = q.where('msAccountId', '=', msAccountId);
    const rows = await q.execute();
    return rows.map((r) => ({ id: r.id, counterpartyId: r.counterpartyId, msAccountId: r.msAccountId, reason: r.reason, candidates: JSON.parse(r.candidates) as unknown, detectedAt: r.detectedAt }));
  }
}

type ContactColumns = Partial<Record<'inn' | 'innNorm' | 'email' | 'emailNorm' | 'phone' | 'phoneNorm', string | null>>;

function contactColumns(i: Pick<CounterpartyPatch, 'inn' | 'email' | 'phone'>, country: string): ContactColumns {
  const out: ContactColumns = {};
  if (i.inn !== undefined) {
    out.inn = i.inn?.trim() || null;
    out.innNorm = normalizeInn(i.inn);
  }
  if (i.email !== undefined) {
    out.email = i.email?.trim() || null;
    out.emailNorm = normalizeEmail(i.email);
  }
  if (i.phone !== undefined) {
    out.phone = i.phone?.trim() || null;
    out.phoneNorm = normalizePhone(i.phone, country);
  }
  return out;
}
