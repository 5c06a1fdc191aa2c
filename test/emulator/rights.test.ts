/**
 * C10 the emulator models users and their rights as MoySklad documents them: `context/employee`
 * with `permissions` (md/_general.md), 13004 for the current-stock report without the «Остатки»
 * right (md/reports/_report_stock.md), 1043/1016 for the counterparty report, 30004 for webhooks
 * (md/_errors.md), and 13005 past `--report-row-limit` rows. Plain HTTP, never our own client.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { createEmulator, type Emulator } from '../../src/emulator/index.js';
import { startEmulatorFromCli } from '../../src/emulator/cli.js';
import { basic, caller, errCode, type J } from './helpers.js';

describe('emulator users and rights', () => {
  let emu: Emulator;
  beforeAll(() => {
    emu = createEmulator({ clock: new ManualClock({ start: '2026-11-29T09:00:00Z' }), limits: false, accounts: [{ login: 'admin@demo', password: 'demo', seed: { kind: 'generated', products: 40, seed: 3, stores: 2 }, users: [{ login: 'stock@demo', password: 'pw', stockReport: true }] }] });
  });
  afterAll(() => emu.close());

  it('C10 context/employee tells an administrator from a user without rights (demo: manager@demo / demo)', async () => {
    const demo = createEmulator({ clock: new ManualClock(), limits: false });
    try {
      const admin = (await caller(demo)('GET', 'context/employee')).json as J;
      const manager = await caller(demo, basic('manager@demo', 'demo'))('GET', 'context/employee');
      expect(manager.status).toBe(200);
      const m = manager.json as J;
      expect({ uid: admin.uid, admin: admin.permissions.admin, stock: admin.permissions.stock, crm: admin.permissions.company_crm, tariff: admin.permissions.tariff_crm }).toEqual({
        uid: 'admin@demo',
        admin: { view: 'ALL' },
        stock: { view: 'ALL' },
        crm: { view: 'ALL' },
        tariff: { view: 'ALL' },
      });
      expect({ uid: m.uid, admin: m.permissions.admin, stock: m.permissions.stock, crm: m.permissions.company_crm, tariff: m.permissions.tariff_crm }).toEqual({
        uid: 'manager@demo',
        admin: {},
        stock: {},
        crm: {},
        tariff: { view: 'ALL' },
      });
      expect(m.id).not.toBe(admin.id);
      // The manager works with the same account: it sees the same organizations.
      expect(((await caller(demo, basic('manager@demo', 'demo'))('GET', 'entity/organization')).json as J).rows.length).toBeGreaterThan(0);
    } finally {
      await demo.close();
    }
  });

  it('C10 the demo manager gets 13004 for the current-stock report, 1016 for the counterparty report and 30004 for webhooks', async () => {
    const demo = createEmulator({ clock: new ManualClock(), limits: false });
    try {
      const m = caller(demo, basic('manager@demo', 'demo'));
      const stock = await m('GET', 'report/stock/bystore/current');
      const all = await m('GET', 'report/stock/all/current');
      const cp = await m('GET', 'report/counterparty');
      const hooks = await m('GET', 'entity/webhook');
      expect([stock.status, errCode(stock), all.status, errCode(all), cp.status, errCode(cp), hooks.status, errCode(hooks)]).toEqual([403, 13004, 403, 13004, 403, 1016, 403, 30004]);
      // The extended report needs no extra right (md/reports/_report_stock.md).
      expect((await m('GET', 'report/stock/bystore?limit=1')).status).toBe(200);
      // A token issued to the manager acts as the manager.
      const token = ((await m('POST', 'security/token')).json as J).access_token as string;
      expect(errCode(await caller(demo, `Bearer ${token}`)('GET', 'report/stock/all/current'))).toBe(13004);
      expect((await caller(demo)('GET', 'report/stock/all/current')).status).toBe(200); // the administrator's own token was not revoked
    } finally {
      await demo.close();
    }
  });

  it('C10 a user with the «Остатки» right reads the current-stock report; without the CRM option the counterparty report is 1043', async () => {
    const s = caller(emu, basic('stock@demo', 'pw'));
    expect((await s('GET', 'report/stock/bystore/current')).status).toBe(200);
    emu.account('admin@demo').setCrm(false);
    try {
      expect(errCode(await caller(emu)('GET', 'report/counterparty'))).toBe(1043);
    } finally {
      emu.account('admin@demo').setCrm(true);
    }
  });

  it('C10 past the report row limit the current report answers 13005; filtering by store and assortment narrows it', async () => {
    const call = caller(emu);
    const full = (await call('GET', 'report/stock/bystore/current?include=zeroLines')).json as J[];
    expect(full.length).toBeGreaterThan(10);
    const ctl = await emu.fetch(new URL('/__control/report-row-limit', emu.apiBaseUrl).toString(), { method: 'POST', body: JSON.stringify({ limit: 10 }) });
    expect(await ctl.json()).toEqual({ limit: 10 });
    try {
      const tooBig = await call('GET', 'report/stock/bystore/current?include=zeroLines');
      expect([tooBig.status, errCode(tooBig)]).toEqual([412, 13005]);
      const ids = [...new Set(full.map((r) => r.assortmentId as string))].slice(0, 4);
      const store = full[0].storeId as string;
      const narrowed = await call('GET', `report/stock/bystore/current?include=zeroLines&filter=storeId=${store};assortmentId=${ids.join(',')}`);
      expect(narrowed.status).toBe(200);
      expect((narrowed.json as J[]).map((r) => r.assortmentId).sort()).toEqual([...ids].sort());
    } finally {
      emu.setReportRowLimit(null);
    }
    expect((await call('GET', 'report/stock/bystore/current?include=zeroLines')).status).toBe(200);
  });

  it('C10 a persisted emulator keeps its users and their rights', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'emu-users-'));
    const file = path.join(dir, 'state.json');
    const first = createEmulator({ clock: new ManualClock(), limits: false, persistPath: file, accounts: [{ login: 'admin@demo', password: 'demo', seed: 'empty', users: [{ login: 'clerk@demo', password: 'pw', stockReport: true, cannotCreate: ['customerorder'] }] }] });
    await first.close();
    const again = createEmulator({ clock: new ManualClock(), limits: false, persistPath: file });
    try {
      expect(again.account('admin@demo').users.map((u) => [u.login, u.admin, u.stockReport, u.companyCrm, u.cannotCreate])).toEqual([
        ['admin@demo', true, true, true, []],
        ['clerk@demo', false, true, false, ['customerorder']],
      ]);
      const clerk = caller(again, basic('clerk@demo', 'pw'));
      expect((await clerk('GET', 'report/stock/all/current')).status).toBe(200);
      const refused = await clerk('POST', 'entity/customerorder', { body: { name: 'x' } });
      expect([refused.status, errCode(refused)]).toEqual([403, 1045]);
    } finally {
      await again.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('C10 `emulator --report-row-limit N` starts with the limit on', async () => {
    const running = await startEmulatorFromCli({ port: '0', host: '127.0.0.1', seed: 'generated:30:2', login: 'admin@demo', password: 'demo', limits: false, crm: true, reportRowLimit: '5' }, () => undefined);
    try {
      const r = await caller(running.emulator, basic('admin@demo', 'demo'), fetch, running.baseUrl)('GET', 'report/stock/all/current?include=zeroLines');
      expect([r.status, errCode(r)]).toEqual([412, 13005]);
    } finally {
      await running.close();
    }
  });
});
