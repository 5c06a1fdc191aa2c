/**
 * @module counterparties.routes
 * Clients and suppliers (R3, R27): distinct kinds with their own paths; the client balance
 * (R29–R31) and client activity, which asks for a balance refresh at most every 30 minutes (R30).
 */
import { readClientBalance, recordClientActivity } from '../../sync/balance/client-balance.js';
import type { z } from 'zod';
import { ConflictError, NotFoundError } from '../../core/errors.js';
import { formatRoubles } from '../../core/money.js';
import { normalizeEmail, normalizeInn, normalizePhone } from '../../core/normalize.js';
import { searchTextOf } from '../../domain/search-text.js';
import { isUniqueViolation } from '../../store/db-errors.js';
import { searchTextContains } from '../../store/search-filter.js';
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
export async function loadCounterparty(deps: ApiDeps, kind: CounterpartyKind, id: number): Promise<CounterpartyRow> {
  const row = await deps.db.selectFrom('counterparties').selectAll().where('id', '=', id).where('kind', '=', kind).executeTakeFirst();
  if (!row) throw new NotFoundError(kind, id);
  return row;
}

type ContactFields = Partial<Pick<z.infer<typeof CounterpartyCreate>, 'inn' | 'email' | 'phone'>>;
const contactColumns = (b: ContactFields) => ({
  ...(b.inn !== undefined ? { inn: b.inn ?? null, innNorm: normalizeInn(b.inn) } : {}),
  ...(b.email !== undefined ? { email: b.email ?? null, emailNorm: normalizeEmail(b.email) } : {}),
  ...(b.phone !== undefined ? { phone: b.phone ?? null, phoneNorm: normalizePhone(b.phone) } : {}),
});

export function counterpartyOperations(deps: ApiDeps, kind: CounterpartyKind): ApiOperation[] {
  const base = kind === 'client' ? '/clients' : '/suppliers';
  const tag = kind === 'client' ? 'clients' : 'suppliers';
  const Name = kind === 'client' ? 'Client' : 'Supplier';
  const ops: ApiOperation[] = [
    defineOperation({
      method: 'get', path: base, operationId: `list${Name}s`, tag, summary: `List ${tag} (search by name, INN, e-mail, phone; or by externalId)`,
      query: CounterpartyQuery, response: Page(Counterparty),
      handler: async ({ query }) => {
        let q = deps.db.selectFrom('counterparties').where('kind', '=', kind);
        if (query.externalId) q = q.where('externalId', '=', query.externalId);
        const text = searchTextContains('searchText', query.q);
        if (query.q && text) {
          const phone = normalizePhone(query.q);
          q = q.where((eb) =>
            eb.or([
              text,
              eb('innNorm', '=', query.q!.replace(/\D+/g, '')),
              eb('emailNorm', '=', query.q!.trim().toLowerCase()),
              ...(phone ? [eb('phoneNorm', '=', phone)] : []),
            ]),
          );
        }
        const { total } = await q.select((eb) => eb.fn.countAll<number>().as('total')).executeTakeFirstOrThrow();
        const rows = await q.selectAll().orderBy('id').limit(query.limit).offset(query.offset).execute();
        return { items: rows.map(counterpartyToApi), total: Number(total), limit: query.limit, offset: query.offset };
      },
    }),
    defineOperation({
      method: 'post', path: base, operationId: `create${Name}`, tag, summary: `Create a ${kind} (R3: exported to MoySklad before its first order)`,
      body: CounterpartyCreate, response: Counterparty, successStatus: 201, errors: ['not_found', `duplicate_${kind}`],
      handler: async ({ body }) => {
        if (body.regionId != null) await loadRegion(deps, body.regionId);
        const existing = await deps.db.selectFrom('counterparties').select('id').where('kind', '=', kind).where('externalId', '=', body.externalId).executeTakeFirst();
        if (existing) throw new ConflictError(`duplicate_${kind}`, `${kind} with externalId ${body.externalId} already exists`, { id: Number(existing.id) });
        const now = deps.clock.now().toISOString();
        const row = await deps.db
          .insertInto('counterparties')
          .values({
            kind,
            externalId: body.externalId,
            regionId: body.regionId ?? null,
            name: body.name,
            companyType: body.companyType ?? 'legal',
            inn: null, innNorm: null, email: null, emailNorm: null, phone: null, phoneNorm: null,
            ...contactColumns(body),
            searchText: searchTextOf(body.name, body.inn, body.email, body.phone),
            createdAt: now,
            updatedAt: now,
          })
          .returningAll()
          .executeTakeFirstOrThrow()
          .catch((e: unknown) => {
            if (isUniqueViolation(e)) throw new ConflictError(`duplicate_${kind}`, `${kind} with externalId ${body.externalId} already exists`);
            throw e;
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
      method: 'patch', path: `${base}/:id`, operationId: `update${Name}`, tag, summary: `Update a ${kind}`,
      params: IdParams, body: CounterpartyUpdate, response: Counterparty, errors: ['not_found'],
      handler: async ({ params, body }) => {
        const current = await loadCounterparty(deps, kind, params.id);
        if (body.regionId != null) await loadRegion(deps, body.regionId);
        const next = <K extends 'name' | 'inn' | 'email' | 'phone'>(k: K) => (body[k] !== undefined ? body[k] : current[k]);
        const row = await deps.db
          .updateTable('counterparties')
          .set({
            ...(body.name !== undefined ? { name: body.name } : {}),
            ...(body.companyType !== undefined ? { companyType: body.companyType } : {}),
            ...(body.regionId !== undefined ? { regionId: body.regionId ?? null } : {}),
            ...contactColumns(body),
            searchText: searchTextOf(next('name'), next('inn'), next('email'), next('phone')),
            updatedAt: deps.clock.now().toISOString(),
          })
          .where('id', '=', params.id)
          .returningAll()
          .executeTakeFirstOrThrow();
        return counterpartyToApi(row);
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
