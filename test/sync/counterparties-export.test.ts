/**
 * Counterparties before every order export (R24–R28, B6) against the emulator, on SQLite and
 * PostgreSQL: the store's clients and suppliers are matched to MoySklad counterparties by INN, then
 * email, then phone; ambiguity is recorded and never guessed; unmatched ones are created once.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { CounterpartyRepository } from '../../src/store/repositories/counterparty-repository.js';
import type { CompanyType, CounterpartyKind } from '../../src/store/schema.js';
import { CounterpartyCache, counterpartySyncId, ensureCounterparty, type CounterpartyExportDeps } from '../../src/sync/counterparties/counterparty-export.js';
import { dialects, postgresUnavailableReason } from '../helpers/databases.js';
import { createSyncFixture, type SyncFixture } from '../helpers/sync-fixture.js';

const LOGIN = 'admin@demo';

for (const dialect of dialects) {
  const skip = dialect === 'postgres' ? postgresUnavailableReason() : null;
  const block = skip ? describe.skip : describe;
  block(`counterparty export (${dialect})${skip ? ` SKIPPED: PostgreSQL unreachable: ${skip}` : ''}`, () => {
    let fx: SyncFixture | undefined;
    afterEach(async () => {
      await fx?.dispose();
      fx = undefined;
    });

    const setup = async () => {
      fx = await createSyncFixture({ dialect, emulator: { accounts: [{ login: LOGIN, password: 'demo', seed: { kind: 'generated', products: 1, seed: 3, stores: 1 } }] } });
      const f = fx;
      const account = f.emulator.account(LOGIN);
      const repo = new CounterpartyRepository(f.db, f.clock);
      const ctx = await f.integrationContext();
      const cache = new CounterpartyCache();
      const deps = (): CounterpartyExportDeps => ({ db: f.db, clock: f.clock, client: ctx.client, msAccountId: f.msAccountId, cache });
      let n = 0;
      const store = (kind: CounterpartyKind, fields: { inn?: string; email?: string; phone?: string; name?: string; companyType?: CompanyType }) =>
        repo.create({ kind, externalId: `${kind}-${++n}`, name: fields.name ?? `Store ${kind} ${n}`, ...fields });
      const ms = (fields: Record<string, unknown>) => account.createEntity('counterparty', { archived: false, shared: false, name: 'MS counterparty', ...fields });
      const requests = () => f.emulator.stats().requests;
      return { f, account, repo, deps, store, ms, requests, cache };
    };

    it('R25 INN beats email beats phone', async () => {
      const { repo, deps, store, ms, f } = await setup();
      const byInn = ms({ name: 'By INN', inn: '7736570901' });
      const byEmail = ms({ name: 'By email', email: 'buyer@shop.ru' });
      const byPhone = ms({ name: 'By phone', phone: '+7 912 345-67-89' });

      const all = await store('client', { inn: '7736570901', email: 'buyer@shop.ru', phone: '89123456789' });
      expect(await ensureCounterparty(deps(), all.id)).toMatchObject({ msId: byInn.id, matchedBy: 'inn', action: 'matched' });
      const emailPhone = await store('client', { inn: '500100732259', email: 'BUYER@shop.ru ', phone: '89123456789' });
      expect(await ensureCounterparty(deps(), emailPhone.id)).toMatchObject({ msId: byEmail.id, matchedBy: 'email' });
      const phoneOnly = await store('client', { email: 'other@shop.ru', phone: '8 (912) 345 67 89' });
      expect(await ensureCounterparty(deps(), phoneOnly.id)).toMatchObject({ msId: byPhone.id, matchedBy: 'phone' });

      expect((await repo.findLink(all.id, f.msAccountId))?.msCounterpartyId).toBe(byInn.id);
      expect((await repo.findLink(phoneOnly.id, f.msAccountId))?.matchedBy).toBe('phone');
    });

    it('B6 +7 (912) 345-67-89, 8 912 345 67 89 and 79123456789 are the same phone', async () => {
      const { deps, store, ms, account } = await setup();
      const formats = ['+7 (912) 345-67-89', '8 912 345 67 89', '79123456789'];
      for (const msPhone of formats) {
        const target = ms({ name: `MS ${msPhone}`, phone: msPhone });
        for (const storePhone of formats) {
          const cp = await store('client', { phone: storePhone });
          expect(await ensureCounterparty(deps(), cp.id), `${storePhone} → ${msPhone}`).toMatchObject({ msId: target.id, matchedBy: 'phone' });
        }
        account.deleteEntity('counterparty', target.id);
        deps().cache!.phoneIndexes.clear();
      }
    });

    it('R25 ambiguous matches are not linked: recorded for the admin panel, the export waits', async () => {
      const { repo, deps, store, ms, f, account } = await setup();
      const a = ms({ name: 'Twin A', email: 'twin@shop.ru', phone: '+7 900 000 00 01' });
      const b = ms({ name: 'Twin B', email: 'Twin@Shop.ru', phone: '+7 900 000 00 02' });
      const cp = await store('client', { email: 'twin@shop.ru' });
      const before = account.counterparties.length;
      await expect(ensureCounterparty(deps(), cp.id)).rejects.toMatchObject({ code: 'counterparty_ambiguous', retryable: false });
      expect(await repo.findLink(cp.id, f.msAccountId)).toBeNull();
      expect(account.counterparties.length).toBe(before);
      const issues = await repo.listOpenMatchIssues(f.msAccountId);
      expect(issues).toHaveLength(1);
      expect((issues[0]!.candidates as Array<{ id: string }>).map((c) => c.id).sort()).toEqual([a.id, b.id].sort());
      // retrying does not pile up issues
      await expect(ensureCounterparty(deps(), cp.id)).rejects.toMatchObject({ code: 'counterparty_ambiguous' });
      expect(await repo.listOpenMatchIssues(f.msAccountId)).toHaveLength(1);

      // a lower-priority key that tells them apart settles it
      const narrowed = await store('client', { email: 'twin@shop.ru', phone: '89000000002' });
      expect(await ensureCounterparty(deps(), narrowed.id)).toMatchObject({ msId: b.id, matchedBy: 'email' });
    });

    it('R26 an unmatched counterparty is created once with the right companyType and a stable syncId', async () => {
      const { repo, deps, store, account, f } = await setup();
      const legal = await store('client', { name: 'ООО Ромашка', inn: '7707083893', email: 'romashka@shop.ru' });
      const person = await store('client', { name: 'Иванов Иван', phone: '+7 (999) 111-22-33', companyType: 'individual' });
      const ip = await store('supplier', { name: 'ИП Петров', inn: '500100732259', companyType: 'legal' });
      const before = account.counterparties.length;
      const r1 = await ensureCounterparty(deps(), legal.id);
      expect(r1).toMatchObject({ action: 'created', matchedBy: 'created' });
      expect(account.get('counterparty', r1.msId)?.f).toMatchObject({ name: 'ООО Ромашка', companyType: 'legal', inn: '7707083893', email: 'romashka@shop.ru', syncId: counterpartySyncId(legal) });
      const r2 = await ensureCounterparty(deps(), person.id);
      expect(account.get('counterparty', r2.msId)?.f).toMatchObject({ companyType: 'individual', phone: '+7 (999) 111-22-33' });
      const r3 = await ensureCounterparty(deps(), ip.id);
      expect(account.get('counterparty', r3.msId)?.f).toMatchObject({ companyType: 'entrepreneur' });
      expect(account.counterparties.length).toBe(before + 3);

      // the link got lost (e.g. a crash before it was written): the retry finds the same one
      await repo.unlink(legal.id, f.msAccountId);
      const again = await ensureCounterparty(deps(), legal.id);
      expect(again.msId).toBe(r1.msId);
      expect(account.counterparties.length).toBe(before + 3);
    });

    it('R25 after the first link the MoySklad id is used; a deleted one is matched again', async () => {
      const { deps, store, ms, account, requests, f, repo } = await setup();
      const target = ms({ name: 'Linked', inn: '7736570901' });
      const cp = await store('client', { inn: '7736570901' });
      await ensureCounterparty(deps(), cp.id);
      const r0 = requests();
      // same drain: no request at all; a new drain: one GET by id
      expect(await ensureCounterparty(deps(), cp.id)).toMatchObject({ msId: target.id, action: 'linked' });
      expect(requests() - r0).toBe(0);
      const fresh = { ...deps(), cache: new CounterpartyCache() };
      expect(await ensureCounterparty(fresh, cp.id)).toMatchObject({ msId: target.id, action: 'linked' });
      expect(requests() - r0).toBe(1);

      account.deleteEntity('counterparty', target.id);
      const replacement = ms({ name: 'New card', inn: '7736570901' });
      const relinked = await ensureCounterparty({ ...deps(), cache: new CounterpartyCache() }, cp.id);
      expect(relinked).toMatchObject({ msId: replacement.id, action: 'relinked', matchedBy: 'inn' });
      expect((await repo.findLink(cp.id, f.msAccountId))?.msCounterpartyId).toBe(replacement.id);
    });

    it('R27 a MoySklad counterparty linked to a store supplier is never taken for a client', async () => {
      const { deps, store, ms, account } = await setup();
      const shared = ms({ name: 'Поставщик и покупатель', inn: '7736570901' });
      const supplier = await store('supplier', { inn: '7736570901' });
      expect(await ensureCounterparty(deps(), supplier.id)).toMatchObject({ msId: shared.id });
      const client = await store('client', { inn: '7736570901' });
      const before = account.counterparties.length;
      const r = await ensureCounterparty(deps(), client.id);
      expect(r.msId).not.toBe(shared.id);
      expect(r.action).toBe('created');
      expect(account.counterparties.length).toBe(before + 1);
    });

    it('R28 counterparties that exist only in MoySklad are never created in the store', async () => {
      const { deps, store, ms, f } = await setup();
      for (let i = 0; i < 5; i++) ms({ name: `MS only ${i}`, phone: `+7 900 100 00 0${i}`, email: `only${i}@ms.ru` });
      const cp = await store('client', { phone: '+7 900 100 00 03' });
      const before = await f.db.selectFrom('counterparties').select('id').execute();
      await ensureCounterparty(deps(), cp.id);
      const after = await f.db.selectFrom('counterparties').select('id').execute();
      expect(after).toEqual(before);
    });

    it('B2 matching uses one request per key and builds the phone index once per drain', async () => {
      const { deps, store, ms, requests } = await setup();
      for (let i = 0; i < 30; i++) ms({ name: `Phone ${i}`, phone: `+7 (901) 000-00-${String(i).padStart(2, '0')}` });
      const r0 = requests();
      const first = await store('client', { inn: '7707083893', email: 'nobody@shop.ru', phone: '89010000007' });
      await ensureCounterparty(deps(), first.id);
      // INN lookup, email lookup, the phone index (one page), no create
      expect(requests() - r0).toBe(3);
      const r1 = requests();
      const second = await store('client', { phone: '8 901 000 00 11' });
      await ensureCounterparty(deps(), second.id);
      expect(requests() - r1).toBe(0);
    });
  });
}
