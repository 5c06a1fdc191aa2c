/**
 * @module region-service
 * Regions (R8) with their time zone (C14) and phone country (C13): the one write path of the REST
 * API and the admin panel. A new region without a zone gets the shop's default (TZ_SHOP, else
 * Europe/Moscow); a change of country normalizes the stored phones of its clients again.
 */
import type { Kysely } from 'kysely';
import type { Clock } from '../core/clock.js';
import { ConflictError, NotFoundError } from '../core/errors.js';
import { DEFAULT_TIME_ZONE } from '../core/time-zone.js';
import { CounterpartyRepository } from '../store/repositories/counterparty-repository.js';
import { RegionRepository, type Region, type RegionInput } from '../store/repositories/region-repository.js';
import type { Database } from '../store/schema.js';

export interface RegionServiceDeps {
  db: Kysely<Database>;
  clock: Clock;
  /** TZ_SHOP. */
  defaultTimeZone?: string;
}

async function assertSingleCentral(repo: RegionRepository, exceptId?: number): Promise<void> {
  const other = (await repo.list()).find((r) => r.isCentral && r.id !== exceptId);
  if (other) throw new ConflictError('central_region_conflict', `region ${other.id} is already the central region`, { centralRegionId: other.id });
}

async function assertCodeFree(repo: RegionRepository, code: string, exceptId?: number): Promise<void> {
  const other = await repo.findByCode(code);
  if (other && other.id !== exceptId) throw new ConflictError('duplicate_region_code', `region code ${code} is already used`, { code });
}

export async function createRegion(deps: RegionServiceDeps, input: RegionInput): Promise<Region> {
  const repo = new RegionRepository(deps.db, deps.clock);
  await assertCodeFree(repo, input.code);
  if (input.isCentral) await assertSingleCentral(repo);
  return repo.create({ ...input, timeZone: input.timeZone ?? deps.defaultTimeZone ?? DEFAULT_TIME_ZONE });
}

export async function updateRegion(deps: RegionServiceDeps, id: number, patch: Partial<RegionInput>): Promise<Region> {
  const repo = new RegionRepository(deps.db, deps.clock);
  const before = await repo.find(id);
  if (!before) throw new NotFoundError('region', id);
  if (patch.code !== undefined) await assertCodeFree(repo, patch.code, id);
  if (patch.isCentral) await assertSingleCentral(repo, id);
  const after = await repo.update(id, patch);
  if (after.country !== before.country) await new CounterpartyRepository(deps.db, deps.clock).renormalizeRegionPhones(id);
  return after;
}
