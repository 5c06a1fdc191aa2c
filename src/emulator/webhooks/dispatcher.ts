/**
 * @module dispatcher
 * Webhook delivery (REFERENCE §8, §5): entity events go to every enabled webhook of the same
 * entityType and action as `{auditContext, events[]}`, POSTed to `url?requestId=<uuid>`; the
 * receiver must answer 200/204 within 1500 ms; 3 immediate retries with the same requestId, then
 * the notification is dropped. Stock webhooks send `{accountId, stockType, reportType, reportUrl}`
 * with `changedSince`, `stockDelayMs` after the first unreported stock change.
 */

import { randomUUID } from 'node:crypto';
import type { Clock } from '../../core/clock.js';
import { formatMoscow } from '../../core/moscow-time.js';
import type { ChangeContext, EmulatorAccount } from '../state/account.js';
import type { ChangeEvent } from '../state/types.js';
import type { StatsRecorder } from '../http/stats.js';

export const WEBHOOK_USER_AGENT = 'MoySklad webhook touch agent 2.0 (/https://www.moysklad.ru)';
export const WEBHOOK_DEADLINE_MS = 1500;
export const WEBHOOK_RETRIES = 3;

export interface DispatcherOptions {
  clock: Clock;
  fetch: () => typeof fetch;
  base: () => string;
  stats: StatsRecorder;
  /** Delay between the first stock change and the stock notification (default 60 s). */
  stockDelayMs?: number;
}

export class WebhookDispatcher {
  readonly #o: DispatcherOptions;
  readonly #inFlight = new Set<Promise<void>>();
  readonly #pendingStock = new Map<EmulatorAccount, { sinceMs: number; timer: AbortController }>();

  constructor(o: DispatcherOptions) {
    this.#o = o;
  }

  attach(account: EmulatorAccount): void {
    account.changeListeners.push((a, events, ctx) => this.onChanges(a, events, ctx));
    account.stockListeners.push((a, ms) => this.onStock(a, ms));
  }

  onChanges(account: EmulatorAccount, events: ChangeEvent[], ctx: ChangeContext): void {
    const base = this.#o.base();
    for (const w of account.rows('webhook')) {
      if (w.f.enabled === false) continue;
      const url = String(w.f.url);
      const matching = events.filter((e) => e.type === w.f.entityType && e.action === w.f.action);
      if (matching.length === 0) continue;
      if (ctx.disabledPrefixes.some((p) => p !== '' && url.startsWith(p))) {
        this.#o.stats.s.webhooks.suppressed++;
        continue;
      }
      const payload = {
        auditContext: {
          meta: { type: 'audit', href: `${base}/audit/${randomUUID()}` },
          uid: ctx.uid,
          moment: formatMoscow(this.#o.clock.nowMs(), false),
        },
        events: matching.map((e) => {
          const ev: Record<string, unknown> = {
            meta: { type: e.type, href: `${base}/entity/${e.type}/${e.id}` },
            action: e.action,
            accountId: account.accountId,
          };
          if (e.action === 'UPDATE' && w.f.diffType === 'FIELDS') ev.updatedFields = e.updatedFields ?? [];
          return ev;
        }),
      };
      this.#track(this.#deliver(url, payload, 'entity'));
    }
  }

  onStock(account: EmulatorAccount, changedMs: number): void {
    if (!account.rows('webhookstock').some((w) => w.f.enabled !== false)) return;
    if (this.#pendingStock.has(account)) return;
    const timer = new AbortController();
    this.#pendingStock.set(account, { sinceMs: changedMs, timer });
    const delay = this.#o.stockDelayMs ?? 60_000;
    this.#track(
      this.#o.clock.sleep(delay, timer.signal).then(
        () => this.#sendStock(account),
        () => undefined,
      ),
    );
  }

  async #sendStock(account: EmulatorAccount): Promise<void> {
    const pending = this.#pendingStock.get(account);
    if (!pending) return;
    this.#pendingStock.delete(account);
    const base = this.#o.base();
    const since = formatMoscow(pending.sinceMs, false);
    const sends: Promise<void>[] = [];
    for (const w of account.rows('webhookstock')) {
      if (w.f.enabled === false) continue;
      const reportType = String(w.f.reportType);
      const payload = {
        accountId: account.accountId,
        stockType: String(w.f.stockType ?? 'stock'),
        reportType,
        reportUrl: `${base}/report/stock/${reportType}/current?changedSince=${since}`,
      };
      sends.push(this.#deliver(String(w.f.url), payload, 'stock'));
    }
    await Promise.all(sends);
  }

  /** Sends pending stock notifications now and waits for every delivery in flight. */
  async flush(): Promise<void> {
    for (const [account, p] of [...this.#pendingStock]) {
      p.timer.abort();
      this.#track(this.#sendStock(account));
    }
    while (this.#inFlight.size) await Promise.all([...this.#inFlight]);
  }

  /** Drops pending stock timers (on close). */
  stop(): void {
    for (const p of this.#pendingStock.values()) p.timer.abort();
    this.#pendingStock.clear();
  }

  #track(p: Promise<void>): void {
    this.#inFlight.add(p);
    void p.finally(() => this.#inFlight.delete(p));
  }

  async #deliver(url: string, payload: unknown, kind: 'entity' | 'stock'): Promise<void> {
    const requestId = randomUUID();
    const target = `${url}${url.includes('?') ? '&' : '?'}requestId=${requestId}`;
    const body = JSON.stringify(payload);
    let attempts = 0;
    let result = '';
    let ok = false;
    for (let i = 0; i <= WEBHOOK_RETRIES && !ok; i++) {
      attempts++;
      const ac = new AbortController();
      const timer = new AbortController();
      try {
        const res = await Promise.race([
          this.#o.fetch()(target, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json', 'User-Agent': WEBHOOK_USER_AGENT },
            body,
            signal: ac.signal,
          }),
          this.#o.clock.sleep(WEBHOOK_DEADLINE_MS, timer.signal).then(
            () => 'timeout' as const,
            () => 'cancelled' as const,
          ),
        ]);
        if (res === 'timeout' || res === 'cancelled') {
          ac.abort(new Error('webhook deadline'));
          result = 'timeout';
        } else {
          result = String(res.status);
          ok = res.status === 200 || res.status === 204;
          await res.body?.cancel().catch(() => undefined);
        }
      } catch (e) {
        result = `network: ${e instanceof Error ? e.message : String(e)}`;
      } finally {
        timer.abort();
      }
    }
    this.#o.stats.delivery({ url, requestId, attempts, ok, result, kind, atMs: this.#o.clock.nowMs() });
  }
}
