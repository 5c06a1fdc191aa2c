/**
 * @module regions.routes
 * Regions: the central region plus branches (R8), each served by one integration.
 */
import { z } from 'zod';
import { createRegion, updateRegion } from '../../app/region-service.js';
import { isRegionCountry } from '../../domain/phone.js';
import { RegionRepository, type Region as RegionModel } from '../../store/repositories/region-repository.js';
import type { RegionRow } from '../../store/schema.js';
import type { ApiDeps } from '../api-deps.js';
import { defineOperation, type ApiOperation } from '../api-router.js';
import { IdParams, Region, RegionCreate, RegionUpdate } from '../api-schemas.js';

export const regionToApi = (r: RegionRow | RegionModel): z.infer<typeof Region> => ({
  id: Number(r.id),
  name: r.name,
  code: r.code,
  isCentral: r.isCentral === 1 || r.isCentral === true,
  timeZone: r.timeZone,
  country: isRegionCountry(r.country) ? r.country : 'RU',
});

/** The region or 404 `not_found`. */
export function loadRegion(deps: Pick<ApiDeps, 'db' | 'clock'>, id: number): Promise<RegionModel> {
  return new RegionRepository(deps.db, deps.clock).get(id);
}

export function regionOperations(deps: ApiDeps): ApiOperation[] {
  return [
    defineOperation({
      method: 'get', path: '/regions', operationId: 'listRegions', tag: 'regions', summary: 'List regions (central first)',
      response: z.object({ items: z.array(Region) }),
      handler: async () => {
        // The central region first, then by id (the sort is stable over the repository's id order).
        const rows = (await new RegionRepository(deps.db, deps.clock).list()).sort((a, b) => Number(b.isCentral) - Number(a.isCentral));
        return { items: rows.map(regionToApi) };
      },
    }),
    defineOperation({
      method: 'post', path: '/regions', operationId: 'createRegion', tag: 'regions', summary: 'Create a region (C14 its time zone defaults to TZ_SHOP; C13 its phone country to RU)',
      body: RegionCreate, response: Region, successStatus: 201, errors: ['duplicate_region_code', 'central_region_conflict'],
      handler: async ({ body }) => regionToApi(await createRegion(deps, body)),
    }),
    defineOperation({
      method: 'get', path: '/regions/:id', operationId: 'getRegion', tag: 'regions', summary: 'Read a region',
      params: IdParams, response: Region, errors: ['not_found'],
      handler: async ({ params }) => regionToApi(await loadRegion(deps, params.id)),
    }),
    defineOperation({
      method: 'patch', path: '/regions/:id', operationId: 'updateRegion', tag: 'regions', summary: 'Update a region (a new time zone moves its nightly syncs; a new country re-reads its clients\' phones)',
      params: IdParams, body: RegionUpdate, response: Region, errors: ['not_found', 'duplicate_region_code', 'central_region_conflict'],
      handler: async ({ params, body }) => regionToApi(await updateRegion(deps, params.id, body)),
    }),
  ];
}
