/**
 * @module counterparty-service
 * The one write path of store clients and suppliers (R3, R27, C11, C13), between the REST API and
 * the store: creates them, and updates them so that MoySklad hears about it.
 *
 * C11: an update that changes a field the store owns (name, INN, e-mail, phone) of a counterparty
 * already LINKED to a MoySklad counterparty enqueues, in the SAME transaction as the update, one
 * `counterparty.update` outbox row per link (per MoySklad account). The outbox drain sends it as a
 * PUT naming only the changed fields (`sync/counterparties/counterparty-outbox.ts`). A counterparty
 * not linked yet needs nothing: its first order export matches or creates it with the current data.
 */
import type { Kysely } from 'kysely';
import type { Clock } from '../core/clock.js';
import type { OutboxWake } from './order-service.js';
import { ConflictError, NotFoundError } from '../core/errors.js';
import { changedOwnedFields, COUNTERPARTY_AGGREGATE, counterpartyAggregateId, COUNTERPARTY_UPDATE_KIND, type CounterpartyUpdatePayload, type OwnedCounterpartyField, type OwnedValues } from '../domain/counterparty-update.js';
import { withTransaction } from '../store/db.js';
import { CounterpartyRepository, type CounterpartyInput, type CounterpartyPatch } from '../store/repositories/counterparty-repository.js';
import { IntegrationRepository } from '../store/repositories/integration-repository.js';
import { OutboxRepository } from '../store/repositories/outbox-repository.js';
import type { CounterpartyKind, CounterpartyRow, Database } from '../store/schema.js';


export interface CounterpartyServiceDeps {
  db: Kysely<Database>;
  clock: Clock;
  /** P1: wakes the outbox sender after a change that queued a MoySklad PUT was committed. */
  wake?: OutboxWake;
}

export interface CounterpartyUpdateResult {
  counterparty: CounterpartyRow;
  /** The owned fields that changed (what MoySklad will get). */
  changed: OwnedCounterpartyField[];
  /** Outbox rows written (one per MoySklad link). */
  queued: number;
}

const ownedValues = (r: CounterpartyRow): OwnedValues => ({ name: r.name, inn: r.inn, email: r.email, phone: r.phone });

/** Loads a counterparty of the given kind; one of the other kind is "not found" here (R27). */
export async function loadCounterpartyOfKind(db: Kysely<Database>, clock: Clock, kind: CounterpartyKind, id: number): Promise<CounterpartyRow> {
  const row = await new CounterpartyRepository(db, clock).find(id);
  if (!row || row.kind !== kind) throw new NotFoundError(kind, id);
  return row;
}

/** Creates a client or supplier; a second one with the same externalId of that kind is a conflict. */
export async function createCounterparty(deps: CounterpartyServiceDeps, input: CounterpartyInput): Promise<CounterpartyRow> {
  const repo = new CounterpartyRepository(deps.db, deps.clock);
  const existing = await repo.findByExternalId(input.kind, input.externalId);
  if (existing) throw new ConflictError(`duplicate_${input.kind}`, `${input.kind} with externalId ${input.externalId} already exists`, { id: Number(existing.id) });
  try {
    return await repo.create(input);
  } catch (e) {
    if (e instanceof ConflictError) throw new ConflictError(`duplicate_${input.kind}`, `${input.kind} with externalId ${input.externalId} already exists`);
    throw e;
  }
}

/** C11 Updates a client or supplier and, in the same transaction, queues the MoySklad PUT of its changed owned fields. */
export async function updateCounterparty(deps: CounterpartyServiceDeps, kind: CounterpartyKind, id: number, patch: CounterpartyPatch): Promise<CounterpartyUpdateResult> {
  const result = await writeCounterpartyUpdate(deps, kind, id, patch);
  if (result.queued > 0) {
    try {
      deps.wake?.();
    } catch {
      // committed; the minute poll sends it
    }
  }
  return result;
}

function writeCounterpartyUpdate(deps: CounterpartyServiceDeps, kind: CounterpartyKind, id: number, patch: CounterpartyPatch): Promise<CounterpartyUpdateResult> {
  return withTransaction(deps.db, async (tx) => {
    const before = await loadCounterpartyOfKind(tx, deps.clock, kind, id);
    const repo = new CounterpartyRepository(tx, deps.clock);
    const after = await repo.update(id, patch);
    const changed = changedOwnedFields(ownedValues(before), ownedValues(after));
    if (changed.length === 0) return { counterparty: after, changed, queued: 0 };
    const links = await repo.listLinks(id);
    const outbox = new OutboxRepository(tx, deps.clock);
    const integrations = new IntegrationRepository(tx, deps.clock);
    let queued = 0;
    for (const link of links) {
      const candidates = await integrations.listByMsAccount(link.msAccountId);
      const integration = candidates.find((i) => after.regionId !== null && i.regionId === Number(after.regionId)) ?? candidates[0];
      const payload: CounterpartyUpdatePayload = { counterpartyId: id, msAccountId: link.msAccountId, fields: changed };
      await outbox.enqueue({
        kind: COUNTERPARTY_UPDATE_KIND,
        integrationId: integration?.id ?? null,
        aggregateType: COUNTERPARTY_AGGREGATE,
        aggregateId: counterpartyAggregateId(id, link.msAccountId),
        payload,
      });
      queued += 1;
    }
    return { counterparty: after, changed, queued };
  });
}
