/**
 * @module counterparty-outbox
 * C11 the outbox handler that sends a store client's or supplier's new name, INN, e-mail or phone
 * to its linked MoySklad counterparty: `PUT entity/counterparty/{id}` naming ONLY the changed
 * owned fields (MoySklad-side fields the store does not own are never touched).
 *
 * In order, exactly once:
 * - rows of one (counterparty, MoySklad account) never run at the same time (the outbox's aggregate
 *   lock, migration 0004), and every waiting row of it is coalesced into the running one: ONE PUT
 *   per burst of changes, with the union of their fields;
 * - the values are read from the store row when the PUT is sent, so the latest change always wins
 *   and an older value can never overwrite a newer one;
 * - a PUT sets values (it does not add), so a crash between the PUT and marking the row sent, which
 *   sends it once more after the stale-row recovery, leaves MoySklad exactly as one PUT would.
 * A linked MoySklad counterparty that was deleted (404) is unlinked (the next order export matches
 * or creates it again with the current data); an inactive integration makes the row wait.
 */
import type { Kysely } from 'kysely';
import type { Clock } from '../../core/clock.js';
import { COUNTERPARTY_UPDATE_KIND, counterpartyPutBody, isOwnedCounterpartyField, type CounterpartyUpdatePayload, type OwnedCounterpartyField } from '../../domain/counterparty-update.js';
import { MoySkladNotFoundError } from '../../moysklad/errors.js';
import { CounterpartyRepository } from '../../store/repositories/counterparty-repository.js';
import { parseJson } from '../../store/db.js';
import type { Database, OutboxRow } from '../../store/schema.js';
import type { MoySkladClientPool } from '../client-pool.js';
import { IntegrationInactiveError, loadIntegrationContext } from '../integration-context.js';
import { ExportDeferred } from '../outbox/export-error.js';
import type { OutboxHandler, OutboxHandlerResult } from '../outbox/outbox-drain.js';
import { logMsg } from '../../domain/log-messages.js';

export interface CounterpartyOutboxDeps {
  db: Kysely<Database>;
  clock: Clock;
  clients: MoySkladClientPool;
}

function fieldsOf(row: OutboxRow): OwnedCounterpartyField[] {
  const p = parseJson<Partial<CounterpartyUpdatePayload>>(row.payload, {});
  return Array.isArray(p.fields) ? p.fields.filter(isOwnedCounterpartyField) : [];
}

/** C11 the handler of `counterparty.update` rows. */
export function createCounterpartyOutboxHandler(deps: CounterpartyOutboxDeps): OutboxHandler {
  return async (item, env): Promise<OutboxHandlerResult> => {
    const payload = parseJson<Partial<CounterpartyUpdatePayload>>(item.payload, {});
    const counterpartyId = Number(payload.counterpartyId);
    const msAccountId = Number(payload.msAccountId);
    const waiting = (await env.store.waitingOf(item.aggregateType, item.aggregateId, [COUNTERPARTY_UPDATE_KIND])).filter((r) => Number(r.id) !== Number(item.id));
    const coalesced = waiting.map((r) => Number(r.id));
    const fields = new Set<OwnedCounterpartyField>([...fieldsOf(item), ...waiting.flatMap(fieldsOf)]);
    const repo = new CounterpartyRepository(deps.db, deps.clock);
    const cp = await repo.find(counterpartyId);
    const link = cp ? await repo.findLink(counterpartyId, msAccountId) : null;
    if (!cp || !link) {
      await env.run.log('info', `outbox ${item.id}: ${cp ? `${cp.kind} ${cp.externalId} is no longer linked to MoySklad` : `counterparty ${counterpartyId} no longer exists`}; nothing to send`, undefined, cp ? logMsg('counterparty_not_linked', { party: cp.kind, externalId: String(cp.externalId) }) : logMsg('counterparty_missing', { id: String(counterpartyId) }));
      return { coalesced, counts: { counterparties_unlinked: 1 } };
    }
    if (item.integrationId === null) throw new ExportDeferred('no_integration', `no integration uses MoySklad account ${msAccountId}; the change of ${cp.kind} ${cp.externalId} waits`);
    let ctx;
    try {
      ctx = await loadIntegrationContext(deps.db, deps.clients, Number(item.integrationId));
    } catch (e) {
      if (e instanceof IntegrationInactiveError) throw new ExportDeferred('integration_inactive', `integration ${item.integrationId} is not active; the change of ${cp.kind} ${cp.externalId} waits`);
      throw e;
    }
    const client = Number(ctx.msAccount.id) === msAccountId ? ctx.client : await deps.clients.forAccount(msAccountId);
    const body = counterpartyPutBody(fields, { name: cp.name, inn: cp.inn, email: cp.email, phone: cp.phone });
    if (Object.keys(body).length === 0) return { coalesced, counts: { counterparties_unchanged: 1 } };
    try {
      await client.updateCounterparty(link.msCounterpartyId, body);
    } catch (e) {
      if (!(e instanceof MoySkladNotFoundError)) throw e;
      await repo.unlink(counterpartyId, msAccountId);
      await env.run.log('warn', `${cp.kind} ${cp.externalId}: linked MoySklad counterparty ${link.msCounterpartyId} no longer exists; unlinked (the next order export matches or creates it)`, {
        counterpartyId,
        msCounterpartyId: link.msCounterpartyId,
      }, logMsg('counterparty_link_lost', { party: cp.kind, externalId: String(cp.externalId) }));
      return { coalesced, counts: { counterparties_unlinked: 1 } };
    }
    await env.run.log('info', `${cp.kind} ${cp.externalId}: ${Object.keys(body).join(', ')} sent to MoySklad counterparty ${link.msCounterpartyId} (C11)`, { counterpartyId, fields: Object.keys(body) }, logMsg('counterparty_sent', { party: cp.kind, externalId: String(cp.externalId), fields: Object.keys(body) }));
    return { coalesced, counts: { counterparties_updated: 1 } };
  };
}

export function createCounterpartyOutboxHandlers(deps: CounterpartyOutboxDeps): Map<string, OutboxHandler> {
  return new Map([[COUNTERPARTY_UPDATE_KIND, createCounterpartyOutboxHandler(deps)]]);
}
