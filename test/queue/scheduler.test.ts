import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { formatMoscow } from '../../src/core/moscow-time.js';
import { EmbeddedJobQueue } from '../../src/queue/embedded-queue.js';
import { startScheduler, type Scheduler, type ScheduleTargets } from '../../src/queue/scheduler.js';
import type { EnqueueRequest, JobEnqueuer } from '../../src/queue/types.js';
import { openTestDatabase, type TestDatabase } from '../helpers/databases.js';
import { waitUntil } from './helpers.js';

const open: TestDatabase[] = [];
const schedulers: Scheduler[] = [];
afterEach(async () => {
  for (const s of schedulers.splice(0)) await s.stop();
  for (const d of open.splice(0)) await d.dispose();
});

interface Fired {
  at: number;
  request: EnqueueRequest;
  merged: boolean;
}

async function setup(start: string) {
  const tdb = await openTestDatabase('sqlite');
  open.push(tdb);
  const clock = new ManualClock({ start, autoAdvance: true });
  const queue = new EmbeddedJobQueue({ db: tdb.db, clock });
  const fired: Fired[] = [];
  const recording: JobEnqueuer = {
    async enqueue(request) {
      const res = await queue.enqueue(request);
      fired.push({ at: clock.nowMs(), request, merged: res.merged });
      return res;
    },
  };
  return { db: tdb.db, clock, queue, fired, recording };
}

const onlyNightly = { incrementalEveryMinutes: 0, outboxEverySeconds: 0, balanceEveryMinutes: 0 };

describe('scheduler (croner on the injected clock)', () => {
  it('R19 fires the nightly full nomenclature sync once just after midnight Moscow time and not again that day', async () => {
    const { db, clock, fired, recording } = await setup('2026-11-29T18:00:00Z'); // 21:00 in Moscow
    const targets = async (): Promise<ScheduleTargets> => ({ integrations: [{ id: 1, categorySync: false }], priceLists: [] });
    schedulers.push(startScheduler({ queue: recording, db, clock, targets, ...onlyNightly }));
    const end = Date.parse('2026-11-30T20:30:00Z'); // 23:30 Moscow the next day
    await waitUntil(() => clock.nowMs() >= end, 'a day of clock time');
    const full = fired.filter((f) => f.request.kind === 'nomenclature.full');
    expect(full).toHaveLength(1);
    expect(formatMoscow(full[0]!.at)).toMatch(/^2026-11-30 00:05:00/);
    expect(full[0]!.request).toMatchObject({ integrationId: 1, trigger: 'schedule' });
    expect(fired.filter((f) => f.request.kind === 'categories')).toHaveLength(0); // category sync off
  });

  it('R23 syncs categories after midnight only for integrations with category sync on, in the shop time zone', async () => {
    const { db, clock, fired, recording } = await setup('2026-11-29T12:00:00Z');
    const targets = async (): Promise<ScheduleTargets> => ({
      integrations: [
        { id: 1, categorySync: true },
        { id: 2, categorySync: false },
      ],
      priceLists: [],
    });
    schedulers.push(startScheduler({ queue: recording, db, clock, targets, timezone: 'Asia/Yekaterinburg', ...onlyNightly }));
    await waitUntil(() => clock.nowMs() >= Date.parse('2026-11-30T12:00:00Z'), 'a day');
    const cats = fired.filter((f) => f.request.kind === 'categories');
    expect(cats.map((c) => c.request.integrationId)).toEqual([1]);
    // 00:05 in Yekaterinburg (UTC+5) is 19:05 UTC
    expect(new Date(cats[0]!.at).toISOString()).toBe('2026-11-29T19:05:00.000Z');
    expect(fired.filter((f) => f.request.kind === 'nomenclature.full')).toHaveLength(2);
  });

  it('R12 honours each price list frequency', async () => {
    const { db, clock, fired, recording } = await setup('2026-11-29T09:00:00Z');
    const targets = async (): Promise<ScheduleTargets> => ({
      integrations: [],
      priceLists: [
        { id: 10, integrationId: 1, syncIntervalMinutes: 30 },
        { id: 11, integrationId: 1, syncIntervalMinutes: 60 },
      ],
    });
    schedulers.push(startScheduler({ queue: recording, db, clock, targets, ...onlyNightly }));
    await waitUntil(() => clock.nowMs() >= Date.parse('2026-11-29T12:00:00Z'), 'three hours');
    const times = (id: number) =>
      fired.filter((f) => f.request.kind === 'stock.incremental' && f.request.priceListId === id).map((f) => new Date(f.at).toISOString().slice(11, 16));
    expect(times(10)).toEqual(['09:30', '10:00', '10:30', '11:00', '11:30', '12:00']);
    expect(times(11)).toEqual(['10:00', '11:00', '12:00']);
  });

  it('R12 picks up a changed frequency at the next refresh', async () => {
    const { db, clock, fired, recording } = await setup('2026-11-29T09:00:00Z');
    let minutes = 60;
    const targets = async (): Promise<ScheduleTargets> => ({ integrations: [], priceLists: [{ id: 10, syncIntervalMinutes: minutes }] });
    schedulers.push(startScheduler({ queue: recording, db, clock, targets, refreshMs: 60_000, ...onlyNightly }));
    await waitUntil(() => clock.nowMs() >= Date.parse('2026-11-29T10:01:00Z'), 'an hour');
    minutes = 15;
    await waitUntil(() => clock.nowMs() >= Date.parse('2026-11-29T11:00:00Z'), 'another hour');
    const times = fired.map((f) => new Date(f.at).toISOString().slice(11, 16));
    expect(times).toEqual(['10:00', '10:15', '10:30', '10:45', '11:00']);
  });

  it('B7 fires each slot once even with two schedulers (two processes) on one database', async () => {
    const { db, clock, fired, recording } = await setup('2026-11-29T20:50:00Z');
    const targets = async (): Promise<ScheduleTargets> => ({ integrations: [{ id: 5, categorySync: true }], priceLists: [] });
    const opts = { queue: recording, db, clock, targets, incrementalEveryMinutes: 15, outboxEverySeconds: 60, balanceEveryMinutes: 0 };
    schedulers.push(startScheduler(opts), startScheduler(opts));
    await waitUntil(() => clock.nowMs() >= Date.parse('2026-11-29T21:30:00Z'), '40 minutes');
    const count = (kind: string) => fired.filter((f) => f.request.kind === kind).length;
    expect(count('nomenclature.full')).toBe(1);
    expect(count('categories')).toBe(1);
    expect(count('nomenclature.incremental')).toBe(3); // 21:00, 21:15, 21:30
    expect(count('outbox')).toBe(40);
    expect(fired.every((f) => f.request.trigger === 'schedule')).toBe(true);
  });
});
