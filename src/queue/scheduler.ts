/**
 * @module queue/scheduler
 * Schedules (croner, evaluated against the injected Clock): the scheduler computes each entry's next fire
 * time from `clock.now()`, sleeps on the clock until the earliest, and enqueues through the same `enqueue`
 * as on-demand runs. Every fire first CLAIMS its slot in `queue_schedule_slots` (an upsert that only
 * succeeds when the stored slot is older), so with several schedulers (several `start`/`worker` processes)
 * or after a restart each slot fires exactly once.
 *
 * Entries (R19, R23, R12, B3, B1, R30):
 * - `nomenclature.full` nightly at `nightlyCron` (default 00:05) in the time zone of the integration's
 *   REGION (C14: each region at its own midnight; `timezone`, default Europe/Moscow, only when a target
 *   names none), per active integration; `categories` at the same time for integrations with category sync on;
 * - `stock.incremental` per bound price list every `sync_interval_minutes` (it runs a full sync itself when
 *   its cursor is missing or older than 24 h), and `stock.full` per bound price list nightly in its
 *   region's zone (reconciliation, B3);
 * - `nomenclature.incremental` per active integration every `incrementalEveryMinutes`;
 * - `outbox` every `outboxEverySeconds` (global);
 * - `balance` per integration with balance sync on every `balanceEveryMinutes`;
 * - `webhooks.deliver` every `webhookDeliveryEverySeconds` while a platform webhook subscription is active (E3).
 * C10: an integration's job family with an open permission or tariff problem is left out until the
 * problem's retry time (6 h) or a settings change (`integration_problems`): no hot retries.
 * Interval slots are aligned to the epoch (a 30-minute price list fires at :00 and :30), so every process
 * computes the same slots.
 */
import { Cron } from 'croner';
import type { Clock } from '../core/clock.js';
import { jobFamilyOf } from '../domain/permission-problem.js';
import type { Db } from '../store/db.js';
import { QueueLeaseRepository } from '../store/queue/queue-lease-repository.js';
import { iso } from '../store/queue/queue-tables.js';
import { BALANCE_KIND } from '../sync/balance/kinds.js';
import { CATEGORIES_KIND } from '../sync/categories/kinds.js';
import { NOMENCLATURE_FULL, NOMENCLATURE_INCREMENTAL } from '../sync/nomenclature/kinds.js';
import { ORDER_STATUS_KIND } from '../sync/orders/kinds.js';
import { OUTBOX_KIND } from '../sync/outbox/kinds.js';
import { WEBHOOK_DELIVERY_KIND } from '../sync/platform-webhooks/kinds.js';
import { STOCK_FULL_KIND, STOCK_INCREMENTAL_KIND } from '../sync/stock/kinds.js';
import type { EnqueueRequest, JobEnqueuer } from './types.js';
import { silentLogger, type QueueLogger } from './worker.js';

export interface ScheduleTargets {
  /** `timeZone`: the IANA zone of the integration's region (C14); its nightly runs fire after midnight there. */
  integrations: Array<{ id: number | string; categorySync?: boolean; balanceSync?: boolean; timeZone?: string }>;
  priceLists: Array<{ id: number | string; integrationId?: number | string | null; syncIntervalMinutes: number; timeZone?: string }>;
  /** E3: an active platform webhook subscription exists (its deliveries are sent by `webhooks.deliver`). */
  webhookSubscriptions?: boolean;
}

/** One schedule entry: a name (unique), how to compute the next fire after an instant, and what to enqueue. */
export interface ScheduleEntry {
  name: string;
  /** Describes the timing; when it changes (e.g. a new interval) the next fire is recomputed. */
  spec: string;
  next(afterMs: number): number | undefined;
  request: EnqueueRequest;
}

export interface SchedulerOptions {
  queue: JobEnqueuer;
  /** The application database: slots are claimed in `queueScheduleSlots` (through `QueueLeaseRepository`). */
  db: Db;
  clock: Clock;
  logger?: QueueLogger;
  /** Time zone of the nightly runs of a target whose region names none (TZ_SHOP; default Europe/Moscow). */
  timezone?: string;
  /** Cron of the nightly runs in `timezone` (default `5 0 * * *`: 00:05, just after midnight). */
  nightlyCron?: string;
  /** Incremental product polling period (default 15; 0 = off). */
  incrementalEveryMinutes?: number;
  /** Outbox processing period (default 60; 0 = off). */
  outboxEverySeconds?: number;
  /** Balance refresh period (default 30; 0 = off). */
  balanceEveryMinutes?: number;
  /** E3: period of `webhooks.deliver` while a platform webhook subscription is active (default 30; 0 = off). */
  webhookDeliveryEverySeconds?: number;
  /** Where integrations and price lists come from (`JobTargetRepository.scheduleTargets` in src/store). */
  targets: () => Promise<ScheduleTargets>;
  /**
   * C10 the (integration, job family) pairs whose scheduled jobs must not fire now: a permission or
   * tariff problem waits its retry time or a settings change (`IntegrationProblemRepository.blockedNow`;
   * default: nothing is blocked).
   */
  blocked?: () => Promise<Array<{ integrationId: number; family: string }>>;
  /** Additional entries. */
  extraEntries?: ScheduleEntry[];
  /** How often targets are re-read (default 60 s of clock time). */
  refreshMs?: number;
}

export interface Scheduler {
  stop(): Promise<void>;
  /** The next fire time of each entry (ISO), for the admin panel and tests. */
  upcoming(): Record<string, string>;
}

export function cronEntry(name: string, pattern: string, timezone: string, request: EnqueueRequest): ScheduleEntry {
  const cron = new Cron(pattern, { timezone, paused: true });
  return {
    name,
    spec: `cron:${pattern}@${timezone}`,
    next: (afterMs) => cron.nextRun(new Date(afterMs))?.getTime(),
    request,
  };
}

export function intervalEntry(name: string, periodMs: number, request: EnqueueRequest): ScheduleEntry {
  return {
    name,
    spec: `every:${periodMs}`,
    next: (afterMs) => (Math.floor(afterMs / periodMs) + 1) * periodMs,
    request,
  };
}

/** The entries for a set of targets (pure; exported for tests and the admin panel). */
/** What shapes the entries (periods, zone, extra entries). */
export type ScheduleEntryOptions = Pick<
  SchedulerOptions,
  'timezone' | 'nightlyCron' | 'incrementalEveryMinutes' | 'outboxEverySeconds' | 'balanceEveryMinutes' | 'webhookDeliveryEverySeconds' | 'extraEntries'
>;

export function buildScheduleEntries(targets: ScheduleTargets, options: ScheduleEntryOptions): ScheduleEntry[] {
  const tz = options.timezone ?? 'Europe/Moscow';
  const nightly = options.nightlyCron ?? '5 0 * * *';
  const incrementalMin = options.incrementalEveryMinutes ?? 15;
  const outboxSec = options.outboxEverySeconds ?? 60;
  const balanceMin = options.balanceEveryMinutes ?? 30;
  const entries: ScheduleEntry[] = [];
  const trigger = 'schedule' as const;
  for (const i of targets.integrations) {
    const zone = i.timeZone ?? tz;
    entries.push(cronEntry(`nightly:${NOMENCLATURE_FULL}:int:${i.id}`, nightly, zone, { kind: NOMENCLATURE_FULL, integrationId: i.id, trigger }));
    if (i.categorySync !== false) {
      entries.push(cronEntry(`nightly:${CATEGORIES_KIND}:int:${i.id}`, nightly, zone, { kind: CATEGORIES_KIND, integrationId: i.id, trigger }));
    }
    if (incrementalMin > 0) {
      entries.push(
        intervalEntry(`every:${NOMENCLATURE_INCREMENTAL}:int:${i.id}`, incrementalMin * 60_000, {
          kind: NOMENCLATURE_INCREMENTAL,
          integrationId: i.id,
          trigger,
        }),
      );
    }
    if (incrementalMin > 0) {
      // E7: the fallback pass of order status (MoySklad's customerorder/demand webhooks start it at once).
      entries.push(intervalEntry(`every:${ORDER_STATUS_KIND}:int:${i.id}`, incrementalMin * 60_000, { kind: ORDER_STATUS_KIND, integrationId: i.id, trigger }));
    }
    if (balanceMin > 0 && i.balanceSync) {
      entries.push(intervalEntry(`every:${BALANCE_KIND}:int:${i.id}`, balanceMin * 60_000, { kind: BALANCE_KIND, integrationId: i.id, trigger }));
    }
  }
  for (const p of targets.priceLists) {
    const request: EnqueueRequest = { kind: STOCK_INCREMENTAL_KIND, priceListId: p.id, trigger };
    if (p.integrationId != null) request.integrationId = p.integrationId;
    entries.push(intervalEntry(`every:${STOCK_INCREMENTAL_KIND}:pl:${p.id}`, p.syncIntervalMinutes * 60_000, request));
    entries.push(cronEntry(`nightly:${STOCK_FULL_KIND}:pl:${p.id}`, nightly, p.timeZone ?? tz, { ...request, kind: STOCK_FULL_KIND }));
  }
  if (outboxSec > 0) entries.push(intervalEntry(`every:${OUTBOX_KIND}`, outboxSec * 1000, { kind: OUTBOX_KIND, trigger }));
  const webhookSec = options.webhookDeliveryEverySeconds ?? 30;
  if (webhookSec > 0 && targets.webhookSubscriptions) {
    entries.push(intervalEntry(`every:${WEBHOOK_DELIVERY_KIND}`, webhookSec * 1000, { kind: WEBHOOK_DELIVERY_KIND, trigger }));
  }
  entries.push(...(options.extraEntries ?? []));
  return entries;
}

/** C10 the entries of blocked (integration, family) pairs removed. */
export function withoutBlocked(entries: ScheduleEntry[], blocked: ReadonlyArray<{ integrationId: number; family: string }>): ScheduleEntry[] {
  if (blocked.length === 0) return entries;
  const keys = new Set(blocked.map((b) => `${b.integrationId}:${b.family}`));
  return entries.filter((e) => e.request.integrationId == null || !keys.has(`${Number(e.request.integrationId)}:${jobFamilyOf(e.request.kind)}`));
}

export function startScheduler(options: SchedulerOptions): Scheduler {
  const { clock, queue } = options;
  const logger = options.logger ?? silentLogger;
  const slots = new QueueLeaseRepository(options.db);
  const targets = options.targets;
  const blocked = options.blocked ?? (async () => []);
  const refreshMs = options.refreshMs ?? 60_000;
  const stopController = new AbortController();
  const state = new Map<string, { entry: ScheduleEntry; nextAt: number | undefined }>();
  let nextRefreshMs = Number.NEGATIVE_INFINITY;

  async function refresh(nowMs: number): Promise<void> {
    const entries = withoutBlocked(buildScheduleEntries(await targets(), options), await blocked());
    const seen = new Set<string>();
    for (const entry of entries) {
      seen.add(entry.name);
      const prev = state.get(entry.name);
      if (!prev || prev.entry.spec !== entry.spec) state.set(entry.name, { entry, nextAt: entry.next(nowMs) });
      else prev.entry = entry;
    }
    for (const name of [...state.keys()]) if (!seen.has(name)) state.delete(name);
    nextRefreshMs = nowMs + refreshMs;
  }

  async function fire(entry: ScheduleEntry, slotMs: number): Promise<void> {
    if (!(await slots.claimSlot(entry.name, iso(slotMs), iso(clock.nowMs())))) {
      logger.debug({ schedule: entry.name, slot: iso(slotMs) }, 'slot already fired elsewhere');
      return;
    }
    const res = await queue.enqueue(entry.request);
    logger.info({ schedule: entry.name, slot: iso(slotMs), ...res }, 'scheduled run enqueued');
  }

  async function loop(): Promise<void> {
    while (!stopController.signal.aborted) {
      const nowMs = clock.nowMs();
      try {
        if (nowMs >= nextRefreshMs) await refresh(nowMs);
        for (const s of state.values()) {
          if (s.nextAt !== undefined && s.nextAt <= nowMs) {
            const slot = s.nextAt;
            s.nextAt = s.entry.next(nowMs); // missed slots are not replayed: the next one comes
            await fire(s.entry, slot);
          }
        }
      } catch (e) {
        logger.error({ err: e instanceof Error ? e.message : String(e) }, 'scheduler tick failed');
        if (nextRefreshMs <= nowMs) nextRefreshMs = nowMs + refreshMs;
      }
      let wakeAt = nextRefreshMs;
      for (const s of state.values()) if (s.nextAt !== undefined && s.nextAt < wakeAt) wakeAt = s.nextAt;
      try {
        await clock.sleep(Math.max(0, wakeAt - clock.nowMs()), stopController.signal);
      } catch {
        return;
      }
    }
  }

  const done = loop();
  return {
    async stop() {
      stopController.abort();
      await done;
    },
    upcoming() {
      const out: Record<string, string> = {};
      for (const [name, s] of state) if (s.nextAt !== undefined) out[name] = iso(s.nextAt);
      return out;
    },
  };
}
