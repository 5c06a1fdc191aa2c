/**
 * @module regions.routes
 * Regions: the central region plus branches (R8), each served by one integration.
 */
import { z } from 'zod';
import { ConflictError, NotFoundError } from '../../core/errors.js';
import type { RegionRow } from '../../store/schema.js';
import type { ApiDeps } from '../api-deps.js';
import { defineOperation, type ApiOperation } from '../api-router.js';
import { IdParams, Region, RegionCreate, RegionUpdate } from '../api-schemas.js';

export const regionToApi = (r: RegionRow): z.infer<typeof Region> => ({ id: Number(r.id), name: r.name, code: r.code, isCentral: r.isCentral === 1 });

export async function loadRegion(deps: ApiDeps, id: number): Promise<RegionRow> {
  const row = await deps.db.selectFrom('regions').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw new NotFoundError('region', id);
  return row;
}

async function assertCodeFree(deps: ApiDeps, code: string, exceptId?: number): Promise<void> {
  let q = deps.db.selectFrom('regions').select('id').where('code', '=', code);
  if (exceptId !== undefined) q = q.where('id', '!=', exceptId);
  if (await q.executeTakeFirst()) throw new ConflictError('duplicate_region_code', `region code ${code} is already used`, { code });
}

async function assertSingleCentral(deps: ApiDeps, exceptId?: number): Promise<void> {
  let q = deps.db.selectFrom('regions').select('id').where('isCentral', '=', 1);
  if (exceptId !== undefined) q = q.where('id', '!=', exceptId);
  const other = await q.executeTakeFirst();
  if (other) throw new ConflictError('central_region_conflict', `region ${other.id} is already the central region`, { centralRegionId: Number(other.id) });
}

export function regionOperations(deps: ApiDeps): ApiOperation[] {
  return [
    defineOperation({
      method: 'get', path: '/regions', operationId: 'listRegions', tag: 'regions', summary: 'List regions (central first)',
      response: z.object({ items: z.array(Region) }),
      handler: async () => {
        const rows = await deps.db.selectFrom('regions').selectAll().orderBy('isCentral', 'desc').orderBy('id').execute();
        return { items: rows.map(regionToApi) };
      },
    }),
    defineOperation({
      method: 'post', path: '/regions', operationId: 'createRegion', tag: 'regions', summary: 'Create a region',
      body: RegionCreate, response: Region, successStatus: 201, errors: ['duplicate_region_code', 'central_region_conflict'],
      handler: async ({ body }) => {
        await assertCodeFree(deps, body.code);
        if (body.isCentral) await assertSingleCentral(deps);
        const now = deps.clock.now().toISOString();
        const row = await deps.db
          .insertInto('regions')
          .values({ name: body.name, code: body.code, isCentral: body.isCentral ? 1 : 0, createdAt: now, updatedAt: now })
          .returningAll()
          .executeTakeFirstOrThrow();
        return regionToApi(row);
      },
    }),
    defineOperation({
      method: 'get', path: '/regions/:id', operationId: 'getRegion', tag: 'regions', summary: 'Read a region',
      params: IdParams, response: Region, errors: ['not_found'],
      handler: async ({ params }) => regionToApi(await loadRegion(deps, params.id)),
    }),
    defineOperation({
      method: 'patch', path: '/regions/:id', operationId: 'updateRegion', tag: 'regions', summary: 'Update a region',
      params: IdParams, body: RegionUpdate, response: Region, errors: ['not_found', 'duplicate_region_code', 'central_region_conflict'],
      handler: async ({ params, body }) => {
        await loadRegion(deps, params.id);
        if (body.code !== undefined) await assertCodeFree(deps, body.code, params.id);
        if (body.isCentral) await assertSingleCentral(deps, params.id);
        const row = await deps.db
          .updateTable('regions')
          .set({
            ...(body.name !== undefined ? { name: body.name } : {}),
            ...(body.code !== undefined ? { code: body.code } : {}),
            ...(body.isCentral !== undefined ? { isCentral: body.isCentral ? 1 : 0 } : {}),
            updatedAt: deps.clock.now().toISOString(),
          })
          .where('id', '=', params.id)
          .returningAll()
          .executeTakeFirstOrThrow();
        return regionToApi(row);
      },
    }),
  ];
}
