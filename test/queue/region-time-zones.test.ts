/**
 * C14 each region's nightly syncs run after midnight in the region's own time zone: two regions,
 * Kaliningrad (UTC+2) and Vladivostok (UTC+10), their integrations and price lists read from the
 * database by the real schedule targets, the scheduler on the injected clock, on SQLite and PostgreSQL.
 */
import { describe, expect, it } from 'vitest';
import { createRegion, updateRegion } from '../../src/app/region-service.js';
import { ManualClock } from '../../src/core/clock.js';
import { startScheduler } from '../../src/queue/scheduler.js';
import { JobTargetRepository } from '../../src/store/repositories/job-target-repository.js';
import type { EnqueueRequest, JobEnqueuer } from '../../src/queue/types.js';
import { forEachDialect } from '../helpers/databases.js';
import { waitUntil } from './helpers.js';

describe('nightly schedules per region time zone', () => {
  forEachDialect((getDb) => {
    it('C14 two regions in different zones each run their nightly syncs at their own midnight', async () => {
      const { db } = getDb();
      const clock = new ManualClock({ start: '2026-11-29T12:00:00Z', autoAdvance: true });
      const now = clock.now().toISOString();
      const deps = { db, clock, defaultTimeZone: 'Europe/Moscow' };
      const west = await createRegion(deps, { name: 'Калининград', code: `kgd-${Date.now()}`, timeZone: 'Europe/Kaliningrad' });
      const east = await createRegion(deps, { name: 'Владивосток', code: `vvo-${Date.now()}`, timeZone: 'Asia/Vladivostok' });
      const moscow = await createRegion(deps, { name: 'Москва', code: `msk-${Date.now()}` });
      expect([west.timeZone, east.timeZone, moscow.timeZone]).toEqual(['Europe/Kaliningrad', 'Asia/Vladivostok', 'Europe/Moscow']);
      const account = await db
        .insertInto('msAccounts')
        .values({ label: 'a', authKind: 'password', login: `tz-${Date.now()}`, credentialKey: `tz-${Date.now()}`, secretEnc: 'v1:x', baseUrl: 'http://emu', moyskladAccountId: null, createdAt: now, updatedAt: now })
        .returning('id')
        .executeTakeFirstOrThrow();
      const ids: Record<string, number> = {};
      for (const [name, region] of [['west', west], ['east', east]] as const) {
        const i = await db.insertInto('integrations').values({ regionId: region.id, msAccountId: account.id, active: 1, categorySyncEnabled: 1, status: 'ok', createdAt: now, updatedAt: now }).returning('id').executeTakeFirstOrThrow();
        ids[name] = i.id;
        const pl = await db.insertInto('priceLists').values({ regionId: region.id, name: `склад ${name}`, msStoreId: `store-${name}`, syncIntervalMinutes: 1440, createdAt: now, updatedAt: now }).returning('id').executeTakeFirstOrThrow();
        ids[`pl-${name}`] = pl.id;
      }
      const fired: Array<{ at: string; request: EnqueueRequest }> = [];
      const queue: JobEnqueuer = {
        async enqueue(request) {
          fired.push({ at: clock.now().toISOString(), request });
          return { jobId: String(fired.length), merged: false };
        },
      };
      const scheduler = startScheduler({ queue, db, clock, targets: new JobTargetRepository(db).scheduleTargets, timezone: 'Europe/Moscow', incrementalEveryMinutes: 0, outboxEverySeconds: 0, balanceEveryMinutes: 0 });
      try {
        await waitUntil(() => clock.nowMs() >= Date.parse('2026-11-30T12:00:00Z'), 'a day of clock time', 20_000_000);
      } finally {
        await scheduler.stop();
      }
      const nightly = fired
        .filter((f) => f.request.kind === 'nomenclature.full' || f.request.kind === 'categories' || f.request.kind === 'stock.full')
        .map((f) => ({ at: f.at, kind: f.request.kind, integrationId: f.request.integrationId, priceListId: f.request.priceListId ?? null }))
        .sort((a, b) => a.at.localeCompare(b.at) || a.kind.localeCompare(b.kind));
      // 00:05 in Vladivostok (UTC+10) is 14:05 UTC; 00:05 in Kaliningrad (UTC+2) is 22:05 UTC.
      expect(nightly).toEqual([
        { at: '2026-11-29T14:05:00.000Z', kind: 'categories', integrationId: ids.east, priceListId: null },
        { at: '2026-11-29T14:05:00.000Z', kind: 'nomenclature.full', integrationId: ids.east, priceListId: null },
        { at: '2026-11-29T14:05:00.000Z', kind: 'stock.full', integrationId: ids.east, priceListId: ids['pl-east'] },
        { at: '2026-11-29T22:05:00.000Z', kind: 'categories', integrationId: ids.west, priceListId: null },
        { at: '2026-11-29T22:05:00.000Z', kind: 'nomenclature.full', integrationId: ids.west, priceListId: null },
        { at: '2026-11-29T22:05:00.000Z', kind: 'stock.full', integrationId: ids.west, priceListId: ids['pl-west'] },
      ]);
    });

    it('C14 moving a region to another zone moves its next nightly run', async () => {
      const { db } = getDb();
      const clock = new ManualClock({ start: '2026-12-01T12:00:00Z', autoAdvance: true });
      const now = clock.now().toISOString();
      const deps = { db, clock };
      const region = await createRegion(deps, { name: 'Филиал', code: `move-${Date.now()}`, timeZone: 'Asia/Yekaterinburg' });
      const account = await db
        .insertInto('msAccounts')
        .values({ label: 'a', authKind: 'password', login: `mv-${Date.now()}`, credentialKey: `mv-${Date.now()}`, secretEnc: 'v1:x', baseUrl: 'http://emu', moyskladAccountId: null, createdAt: now, updatedAt: now })
        .returning('id')
        .executeTakeFirstOrThrow();
      const i = await db.insertInto('integrations').values({ regionId: region.id, msAccountId: account.id, active: 1, categorySyncEnabled: 0, status: 'ok', createdAt: now, updatedAt: now }).returning('id').executeTakeFirstOrThrow();
      const scheduler = startScheduler({ queue: { enqueue: async () => ({ jobId: '1', merged: false }) }, db, clock, targets: new JobTargetRepository(db).scheduleTargets, incrementalEveryMinutes: 0, outboxEverySeconds: 0, balanceEveryMinutes: 0, refreshMs: 60_000 });
      try {
        const name = `nightly:nomenclature.full:int:${i.id}`;
        await waitUntil(() => scheduler.upcoming()[name] !== undefined, 'the schedule');
        expect(scheduler.upcoming()[name]).toBe('2026-12-01T19:05:00.000Z'); // 00:05 in Yekaterinburg (UTC+5)
        await updateRegion(deps, region.id, { timeZone: 'Asia/Kamchatka' });
        await waitUntil(() => scheduler.upcoming()[name] === '2026-12-02T12:05:00.000Z', 'the next run at 00:05 Kamchatka (UTC+12)');
      } finally {
        await scheduler.stop();
      }
    });
  });
});
