/**
 * C11 a store client's or supplier's new name, INN, e-mail or phone reaches its linked MoySklad
 * counterparty: the REST PATCH writes an outbox row in the same transaction, the outbox drain sends
 * ONE PUT naming only the changed fields, in order, exactly once, and fields MoySklad users keep in
 * the card are never overwritten. Real REST API, real outbox drain, emulator over HTTP.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { OutboxRepository } from '../../src/store/repositories/outbox-repository.js';
import { dialects, postgresUnavailableReason } from '../helpers/databases.js';
import { ordersHarness, type OrdersHarness } from './orders-harness.js';

const PUT = 'PUT entity/counterparty/{id}';

for (const dialect of dialects) {
  const skip = dialect === 'postgres' ? postgresUnavailableReason() : null;
  const block = skip ? describe.skip : describe;
  block(`counterparty updates to MoySklad (${dialect})${skip ? ` SKIPPED: PostgreSQL unreachable: ${skip}` : ''}`, () => {
    let h: OrdersHarness | undefined;
    afterEach(async () => {
      await h?.dispose();
      h = undefined;
    });

    /** A client exported with its first order, so that it is linked to a MoySklad counterparty. */
    const linkedClient = async (harness: OrdersHarness): Promise<{ id: number; msId: string }> => {
      const [p] = harness.msProducts();
      await harness.knowProducts([p!]);
      const id = await harness.client({ externalId: 'C-11', name: 'ООО Ромашка', email: 'shop@example.ru', phone: '+7 912 345-67-89' });
      await harness.order({ externalId: 'W-11', counterpartyId: id, positions: [{ brand: p!.brand, article: p!.article, quantity: 1, priceKopecks: 100 }] });
      expect(await harness.drain()).toMatchObject({ sent: 1, failed: 0 });
      const link = await harness.fx.db.selectFrom('counterpartyLinks').select('msCounterpartyId').where('counterpartyId', '=', id).executeTakeFirstOrThrow();
      return { id, msId: link.msCounterpartyId };
    };
    const puts = (harness: OrdersHarness): number => harness.fx.emulator.stats().byPath[PUT] ?? 0;

    it('C11 a PATCH of name and phone sends one PUT of exactly those fields; MoySklad-only fields stay', async () => {
      h = await ordersHarness(dialect);
      const { id, msId } = await linkedClient(h);
      // MoySklad users keep their own data in the card: a legal title, tags, a comment.
      h.account.updateEntity('counterparty', msId, { legalTitle: 'Общество с ограниченной ответственностью «Ромашка»', tags: ['опт'], description: 'звонить после 10' });
      const patched = await h.api('PATCH', `/clients/${id}`, { name: 'ООО Ромашка и К', phone: '8 (495) 331-22-33 доб. 12' });
      expect(patched.status).toBe(200);
      const rows = (await h.outbox()).filter((r) => r.kind === 'counterparty.update');
      expect(rows).toEqual([expect.objectContaining({ state: 'pending', aggregateId: `${id}@${h.fx.msAccountId}` })]);

      expect(await h.drain()).toMatchObject({ sent: 1, failed: 0, retried: 0 });
      const ms = h.account.get('counterparty', msId)!.f;
      expect({ name: ms.name, phone: ms.phone, email: ms.email, legalTitle: ms.legalTitle, tags: ms.tags, description: ms.description }).toEqual({
        name: 'ООО Ромашка и К',
        phone: '8 (495) 331-22-33 доб. 12',
        email: 'shop@example.ru',
        legalTitle: 'Общество с ограниченной ответственностью «Ромашка»',
        tags: ['опт'],
        description: 'звонить после 10',
      });
      expect(puts(h)).toBe(1);
      // Nothing more to send: a second drain makes no request.
      expect(await h.drain()).toMatchObject({ claimed: 0 });
      expect(puts(h)).toBe(1);
    });

    it('C11 changes made before the sender runs go in order as one PUT: the latest value wins', async () => {
      h = await ordersHarness(dialect);
      const { id, msId } = await linkedClient(h);
      await h.api('PATCH', `/clients/${id}`, { email: 'first@example.ru' });
      await h.api('PATCH', `/clients/${id}`, { inn: '7707083893' });
      await h.api('PATCH', `/clients/${id}`, { email: 'second@example.ru' });
      expect((await h.outbox()).filter((r) => r.kind === 'counterparty.update' && r.state === 'pending')).toHaveLength(3);
      expect(await h.drain()).toMatchObject({ sent: 1, failed: 0 });
      expect(puts(h)).toBe(1);
      const ms = h.account.get('counterparty', msId)!.f;
      expect({ email: ms.email, inn: ms.inn, name: ms.name }).toEqual({ email: 'second@example.ru', inn: '7707083893', name: 'ООО Ромашка' });
      expect((await h.outbox()).filter((r) => r.kind === 'counterparty.update').map((r) => r.state)).toEqual(['sent', 'sent', 'sent']);
    });

    it('C11 a sender that died after its PUT is recovered: the repeated PUT leaves MoySklad as one PUT would, the row is sent once', async () => {
      h = await ordersHarness(dialect);
      const { id, msId } = await linkedClient(h);
      await h.api('PATCH', `/clients/${id}`, { phone: '+7 495 331 22 33' });
      const [row] = (await h.outbox()).filter((r) => r.kind === 'counterparty.update');
      // A worker claimed the row, sent its PUT and died before marking it sent.
      expect(await new OutboxRepository(h.fx.db, h.clock).claim(row!.id)).toBe(true);
      const client = (await h.fx.integrationContext()).client;
      await client.updateCounterparty(msId, { phone: '+7 495 331 22 33' });
      const afterFirst = structuredClone(h.account.get('counterparty', msId)!.f);
      expect(await h.drain()).toMatchObject({ claimed: 0 }); // still running: nobody sends it twice meanwhile
      h.clock.advance(16 * 60_000);
      expect(await h.drain()).toMatchObject({ requeuedStale: 1, sent: 1 });
      expect(puts(h)).toBe(2);
      expect(h.account.get('counterparty', msId)!.f).toEqual(afterFirst);
      expect((await h.outbox()).filter((r) => r.kind === 'counterparty.update').map((r) => r.state)).toEqual(['sent']);
      expect(await h.drain()).toMatchObject({ claimed: 0 });
      expect(puts(h)).toBe(2);
    });

    it('C11 only linked counterparties and owned fields are sent; a deleted MoySklad card is unlinked', async () => {
      h = await ordersHarness(dialect);
      const unlinked = await h.client({ externalId: 'C-new', phone: '+7 912 000-00-01' });
      await h.api('PATCH', `/clients/${unlinked}`, { name: 'Новое имя', phone: '+7 912 000-00-02' });
      const { id, msId } = await linkedClient(h);
      await h.api('PATCH', `/clients/${id}`, { companyType: 'entrepreneur', inn: ' 7701234567 ' });
      await h.api('PATCH', `/clients/${id}`, { inn: '77 0123 4567' }); // the same INN spelled differently: no change
      expect((await h.outbox()).filter((r) => r.kind === 'counterparty.update')).toHaveLength(1);
      h.account.deleteEntity('counterparty', msId);
      expect(await h.drain()).toMatchObject({ sent: 1, failed: 0 });
      expect(await h.fx.db.selectFrom('counterpartyLinks').select('id').where('counterpartyId', '=', id).execute()).toEqual([]);
      expect(h.fx.log.messages('warn').some((m) => m.includes('no longer exists; unlinked'))).toBe(true);
    });

    it('C11 a supplier change is sent the same way', async () => {
      h = await ordersHarness(dialect);
      const supplierId = await h.supplier({ externalId: 'S-1', name: 'ООО Поставщик', email: 'sales@supplier.ru' });
      const [p] = h.msProducts();
      await h.knowProducts([p!]);
      await h.order({ kind: 'supplier', externalId: 'P-1', counterpartyId: supplierId, positions: [{ brand: p!.brand, article: p!.article, quantity: 1, priceKopecks: 100 }] });
      expect(await h.drain()).toMatchObject({ sent: 1, failed: 0 });
      const link = await h.fx.db.selectFrom('counterpartyLinks').select('msCounterpartyId').where('counterpartyId', '=', supplierId).executeTakeFirstOrThrow();
      expect((await h.api('PATCH', `/suppliers/${supplierId}`, { email: 'zakaz@supplier.ru' })).status).toBe(200);
      expect(await h.drain()).toMatchObject({ sent: 1 });
      expect(h.account.get('counterparty', link.msCounterpartyId)!.f.email).toBe('zakaz@supplier.ru');
    });
  });
}
