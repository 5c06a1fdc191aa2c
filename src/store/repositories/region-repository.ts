/**
 * @module region-repository
 * Regions: the central region plus branches (R8).
 */
import type { Clock } from '../../core/clock.js';
import { ConflictError, NotFoundError } from '../../core/errors.js';
import { flag, nowIso } from '../database.js';
import type { Db } from '../db.js';
import { isUniqueViolation } from '../db-errors.js';
import type { RegionRow } from '../schema.js';
import { DEFAULT_PHONE_COUNTRY } from '../../domain/phone.js';

export interface Region {
  id: number;
  name: string;
  code: string;
  isCentral: boolean;
  /** C14 IANA zone of its nightly syncs. */
  timeZone: string;
  /** C13 default country of its clients' phone numbers (ISO alpha-2). */
  country: string;
  createdAt: string;
  updatedAt: string;
}

export interface RegionInput {
  name: string;
  code: string;
  isCentral?: boolean;
  /** Validated IANA name (the caller canonicalizes it); default Europe/Moscow. */
  timeZone?: string;
  country?: string;
}

/** C13 the phone country of a region that does not say. */
export const DEFAULT_REGION_COUNTRY = DEFAULT_PHONE_COUNTRY;

export const CENTRAL_REGION_CODE = 'central';

export function toRegion(row: RegionRow): Region {
  return { ...row, isCentral: row.isCentral === 1 };
}

export class RegionRepository {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  async list(): Promise<Region[]> {
    const rows = await this.db.selectFrom('regions').selectAll().orderBy('id').execute();
    return rows.map(toRegion);
  }

  async find(id: number): Promise<Region | null> {
    const row = await this.db.selectFrom('regions').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toRegion(row) : null;
  }

  async get(id: number): Promise<Region> {
    const r = await this.find(id);
    if (!r) throw new NotFoundError('region', id);
    return r;
  }

  async findByCode(code: string): Promise<Region | null> {
    const row = await this.db.selectFrom('regions').selectAll().where('code', '=', code).executeTakeFirst();
    return row ? toRegion(row) : null;
  }

  async create(input: RegionInput): Promise<Region> {
    const at = nowIso(this.clock);
    try {
      const row = await this.db
        .insertInto('regions')
        .values({
          name: input.name,
          code: input.code,
          isCentral: flag(input.isCentral),
          ...(input.timeZone !== undefined ? { timeZone: input.timeZone } : {}),
          ...(input.country !== undefined ? { country: input.country } : {}),
          createdAt: at,
          updatedAt: at,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toRegion(row);
    } catch (e) {
      if (isUniqueViolation(e)) throw new ConflictError('region_code_taken', `region code ${input.code} is taken`, { code: input.code });
      throw e;
    }
  }

  async update(id: number, patch: Partial<RegionInput>): Promise<Region> {
    try {
      const row = await this.db
        .updateTable('regions')
        .set({
          ...(patch.name !== undefined ? { name: patch.name } : {}),
          ...(patch.code !== undefined ? { code: patch.code } : {}),
          ...(patch.isCentral !== undefined ? { isCentral: flag(patch.isCentral) } : {}),
          ...(patch.timeZone !== undefined ? { timeZone: patch.timeZone } : {}),
          ...(patch.country !== undefined ? { country: patch.country } : {}),
          updatedAt: nowIso(this.clock),
        })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst();
      if (!row) throw new NotFoundError('region', id);
      return toRegion(row);
    } catch (e) {
      if (isUniqueViolation(e)) throw new ConflictError('region_code_taken', `region code ${patch.code ?? ''} is taken`, { code: patch.code });
      throw e;
    }
  }

  /** C13 the default phone country of a region's clients (RU for none or an unknown region). */
  async phoneCountry(regionId: number | null | undefined): Promise<string> {
    if (regionId === null || regionId === undefined) return DEFAULT_REGION_COUNTRY;
    const row = await this.db.selectFrom('regions').select('country').where('id', '=', regionId).executeTakeFirst();
    return row?.country ?? DEFAULT_REGION_COUNTRY;
  }

  /**
   * The central region, created on first call (idempotent; safe when two processes race). A new
   * one gets `timeZone` (TZ_SHOP, C14) when given.
   */
  async ensureCentralRegion(name = 'Центральный регион', timeZone?: string): Promise<Region> {
    const existing = await this.db.selectFrom('regions').selectAll().where('isCentral', '=', 1).orderBy('id').executeTakeFirst();
    if (existing) return toRegion(existing);
    const at = nowIso(this.clock);
    await this.db
      .insertInto('regions')
      .values({ name, code: CENTRAL_REGION_CODE, isCentral: 1, ...(timeZone ? { timeZone } : {}), createdAt: at, updatedAt: at })
      .onConflict((oc) => oc.column('code').doNothing())
      .execute();
    const row = await this.db.selectFrom('regions').selectAll().where('code', '=', CENTRAL_REGION_CODE).executeTakeFirstOrThrow();
    return toRegion(row);
  }
}
