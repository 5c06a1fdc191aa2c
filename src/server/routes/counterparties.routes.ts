/**
 * @module counterparties.routes
 * Clients and suppliers (R3, R27): distinct kinds with their own paths; the client balance
 * (R29–R31) and client activity, which asks for a balance refresh at most every 30 minutes (R30).
 */
import { readClientBalance, recordClientActivity } from '../../sync/balance/client-balance.js';
import type { z } from 'zod';
import { createCounterparty, loadCounterpartyOfKind, updateCounterparty } from '../../app/counterparty-service.js';
import { formatRoubles } from '../../core/money.js';
import { CounterpartyRepository } from '../../store/repositories/counterparty-repository.js';
import type { CounterpartyKind, CounterpartyRow } from '../../store/schema.js';
import type { ApiDeps } from '../api-deps.js';
import { defineOperation, type ApiOperation } from '../api-router.js';
import { ActivityResult, Balance, Counterparty, CounterpartyCreate, CounterpartyQuery, CounterpartyUpdate, IdParams, Page } from '../api-schemas.js';
import { loadRegion } from './regions.routes.js';

export const counterpartyToApi = (r: CounterpartyRow): z.infer<typeof Counterparty> => ({
  id: Number(r.id),
  kind: r.kind,
  externalId: r.externalId,
  regionId: r.regionId === null ? null : Number(r.regionId),
  name: r.name,
  companyType: r.companyType,
  inn: r.inn,
  email: r.email,
  phone: r.phone,
  createdAt: r.createdAt,
  updatedAt: r.updatedAt,
});

/** Loads a counterparty of the given kind; one of the other kind is "not found" here. */
export function loadCounterparty(deps: ApiDeps, kind: CounterpartyKind, id: number): Promise<CounterpartyRow> {
  return loadCounterpartyOfKind(deps.db, deps.clock, kind, id);
}

export function counterpartyOperations(deps: ApiDeps, kind: CounterpartyKind): ApiOperation[] {
  const base = kind === 'client' ? '/clients' : '/suppliers';
  const tag = kind === 'client' ? 'clients' : 'suppliers';
  const Name = kind === 'client' ? 'Client' : 'Supplier';
  const ops: ApiOperation[] = [
    defineOperation({
      method: 'get', path: base, operationId: `list${Name}s`, tag, summary: `List ${tag} (search by name, INN, e-mail, phone; or by externalId)`,
      query: CounterpartyQuery, response: Page(Counterparty),
      handler: async ({ query }) => {
        const { total, rows } = await new CounterpartyRepository(deps.db, deps.clock).searchPage(kind, query, query.limit, query.offset);
        return { items: rows.map(counterpartyToApi), total, limit: query.limit, offset: query.offset };
      },
    }),
    defineOperation({
      method: 'post', path: base, operationId: `create${Name}`, tag, summary: `Create a ${kind} (R3: exported to MoySklad before its first order)`,
      body: CounterpartyCreate, response: Counterparty, successStatus: 201, errors: ['not_found', `duplicate_${kind}`],
      handler: async ({ body }) => {
        if (body.regionId != null) await loadRegion(deps, body.regionId);
        const row = await createCounterparty(deps, {
          kind,
          externalId: body.externalId,
          regionId: body.regionId ?? null,
          name: body.name,
          companyType: body.companyType ?? 'legal',
          ...(body.inn !== undefined ? { inn: body.inn } : {}),
          ...(body.email !== undefined ? { email: body.email } : {}),
          ...(body.phone !== undefined ? { phone: body.phone } : {}),
        });
        return counterpartyToApi(row);
      },
    }),
    defineOperation({
      method: 'get', path: `${base}/:id`, operationId: `get${Name}`, tag, summary: `Read a ${kind}`,
      params: IdParams, response: Counterparty, errors: ['not_found'],
      handler: async ({ params }) => counterpartyToApi(await loadCounterparty(deps, kind, params.id)),
    }),
    defineOperation({
      method: 'patch', path: `${base}/:id`, operationId: `update${Name}`, tag, summary: `Update a ${kind} (C11: a new name, INN, e-mail or phone of a linked ${kind} is sent to MoySklad)`,
      params: IdParams, body: CounterpartyUpdate, response: Counterparty, errors: ['not_found'],
      handler: async ({ params, body }) => {
        if (body.regionId != null) await loadRegion(deps, body.regionId);
        // C11: a change of name, INN, e-mail or phone of a linked counterparty is queued for MoySklad in the same transaction.
        const { counterparty } = await updateCounterparty(deps, kind, params.id, {
          ...(body.name !== undefined ? { name: body.name } : {}),
          ...(body.companyType !== undefined ? { companyType: body.companyType } : {}),
          ...(body.regionId !== undefined ? { regionId: body.regionId ?? null } : {}),
          ...(body.inn !== undefined ? { inn: body.inn } : {}),
          ...(body.email !== undefined ? { email: body.email } : {}),
          ...(body.phone !== undefined ? { phone: body.phone } : {}),
        });
        return counterpartyToApi(counterparty);
      },
    }),
  ];
  if (kind === 'supplier') return ops;
  ops.push(
    defineOperation({
      method: 'get', path: '/clients/:id/balance', operationId: 'getClientBalance', tag,
      summary: "The client's balance as one figure (R29): MoySklad's when balance sync is on (asking counts as activity, R30), else the store's own ledger (R31)",
      params: IdParams, response: Balance, errors: ['not_found'],
      handler: async ({ params }) => {
        const client = await loadCounterparty(deps, 'client', params.id);
        const b = await readClientBalance(deps, { id: Number(client.id), regionId: client.regionId === null ? null : Number(client.regionId) });
        return { ...b, balance: b.balanceKopecks === null ? null : formatRoubles(b.balanceKopecks) };
      },
    }),
    defineOperation({
      method: 'post', path: '/clients/:id/activity', operationId: 'reportClientActivity', tag,
      summary: 'The client is active in the customer cabinet: refresh the MoySklad balance if not asked for 30 minutes (R30)',
      params: IdParams, response: ActivityResult, errors: ['not_found'],
      handler: async ({ params }) => {
        const client = await loadCounterparty(deps, 'client', params.id);
        return recordClientActivity(deps, { id: Number(client.id), regionId: client.regionId === null ? null : Number(client.regionId) });
      },
    }),
  );
  return ops;
}
