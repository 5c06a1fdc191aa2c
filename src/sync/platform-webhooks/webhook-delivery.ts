/**
 * @module webhook-delivery
 * E3 sends the platform's webhook deliveries that are due (the `webhooks.deliver` job): each one
 * signed per the Standard Webhooks scheme (`webhook-id`, `webhook-timestamp`, `webhook-signature:
 * v1,<base64 HMAC-SHA256 of "id.timestamp.body">` made with the `standardwebhooks` package), POSTed
 * with a short timeout on the injected clock, a few at a time; 2xx → delivered, anything else →
 * retried with exponential backoff for 24 h (`nextAttemptAt`, src/domain/platform-events.ts), then
 * failed. The job holds no MoySklad credential lease and one worker slot at most (one drain at a
 * time, singleton key), and a run ends after `maxRunMs`, so a slow or dead receiver never delays
 * syncs; within a run, a receiver that timed out or could not be reached gets no further attempts
 * (its other deliveries wait for the next run) so it does not hold up the other subscriptions.
 */
import { Webhook } from 'standardwebhooks';
import type { Kysely } from 'kysely';
import type { Clock } from '../../core/clock.js';
import { errorMessage } from '../../core/errors.js';
import type { SecretBox } from '../../core/secret-box.js';
import { DEFAULT_DELIVERY_RETRY, nextAttemptAt, type DeliveryRetryPolicy } from '../../domain/platform-events.js';
import { PlatformWebhookRepository, type DueDelivery } from '../../store/repositories/platform-webhook-repository.js';
import type { Database } from '../../store/schema.js';

export interface WebhookDeliveryDeps {
  db: Kysely<Database>;
  clock: Clock;
  secretBox: SecretBox;
  /** HTTP client (default the global fetch). */
  fetch?: typeof fetch;
  logger?: { warn(obj: object, msg?: string): void };
}

export interface WebhookDeliveryOptions {
  /** Requests in flight at once (default 4). */
  concurrency?: number;
  /** Per request, clock time until the receiver must have answered with its status (default 10 s). */
  timeoutMs?: number;
  /** A run stops claiming new deliveries after this much clock time (default 60 s); the rest wait for the next run. */
  maxRunMs?: number;
  /** Deliveries read per batch (default 50). */
  batchSize?: number;
  retry?: DeliveryRetryPolicy;
  /** A delivery left `running` this long by a process that died is due again (default 5 min). */
  staleAfterMs?: number;
  /** Finished deliveries are removed after this long (default 30 days). */
  keepMs?: number;
  signal?: AbortSignal;
}

export interface WebhookDeliveryReport {
  attempted: number;
  delivered: number;
  retried: number;
  failed: number;
  /** Left for the next run because their receiver timed out or was unreachable in this one. */
  deferred: number;
  requeuedStale: number;
  pruned: number;
}

export const USER_AGENT = 'moysklad-exchange-webhooks/1';

type Outcome = { ok: true; status: number } | { ok: false; status: number | null; error: string; receiverDown: boolean };

class DeliveryTimeout extends Error {}

/** Sends every due delivery once (until none is due, `maxRunMs`, or abort). */
export async function deliverDueWebhooks(deps: WebhookDeliveryDeps, options: WebhookDeliveryOptions = {}): Promise<WebhookDeliveryReport> {
  const { clock } = deps;
  const repo = new PlatformWebhookRepository(deps.db, clock);
  const concurrency = Math.max(1, options.concurrency ?? 4);
  const maxRunMs = options.maxRunMs ?? 60_000;
  const batchSize = options.batchSize ?? 50;
  const report: WebhookDeliveryReport = { attempted: 0, delivered: 0, retried: 0, failed: 0, deferred: 0, requeuedStale: 0, pruned: 0 };
  const iso = (ms: number): string => new Date(ms).toISOString();
  report.requeuedStale = await repo.requeueStale(iso(clock.nowMs() - (options.staleAfterMs ?? 5 * 60_000)));
  report.pruned = await repo.prune(iso(clock.nowMs() - (options.keepMs ?? 30 * 24 * 3600_000)));
  const startMs = clock.nowMs();
  const seen = new Set<number>();
  const downReceivers = new Set<number>();
  const running = (): boolean => !options.signal?.aborted && clock.nowMs() - startMs < maxRunMs;

  while (running()) {
    const due = await repo.due(iso(clock.nowMs()), batchSize, seen);
    if (due.length === 0) break;
    for (const d of due) seen.add(d.id);
    const queue = [...due];
    const lane = async (): Promise<void> => {
      for (let d = queue.shift(); d && running(); d = queue.shift()) {
        if (downReceivers.has(d.webhookId)) {
          report.deferred += 1;
          continue;
        }
        if (!(await repo.claim(d.id))) continue; // another worker took it
        const outcome = await send(deps, d, options);
        if (options.signal?.aborted && !outcome.ok && outcome.status === null) {
          await repo.unclaim(d.id); // cut off by shutdown: not an attempt
          continue;
        }
        report.attempted += 1;
        if (outcome.ok) {
          await repo.markDelivered(d.id, outcome.status);
          report.delivered += 1;
          continue;
        }
        if (outcome.receiverDown) downReceivers.add(d.webhookId);
        const next = nextAttemptAt(options.retry ?? DEFAULT_DELIVERY_RETRY, d.attempts + 1, clock.nowMs(), Date.parse(d.deadlineAt));
        await repo.markAttemptFailed(d.id, outcome.status, outcome.error, next === null ? null : iso(next));
        if (next === null) report.failed += 1;
        else report.retried += 1;
        deps.logger?.warn({ deliveryId: d.id, webhookId: d.webhookId, receiver: hostOf(d.url), status: outcome.status, error: outcome.error, final: next === null }, 'platform webhook delivery failed');
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, queue.length) }, lane));
  }
  return report;
}

/** The `webhook-signature` header: the current secret's signature, plus the previous one's during a rotation. */
export function signatureHeader(secrets: readonly string[], messageId: string, at: Date, body: string): string {
  return secrets.map((s) => new Webhook(s).sign(messageId, at, body)).join(' ');
}

function secretsOf(deps: WebhookDeliveryDeps, d: DueDelivery): string[] {
  const out = [deps.secretBox.decrypt(d.secretEnc)];
  if (d.previousSecretEnc && d.previousSecretUntil && Date.parse(d.previousSecretUntil) > deps.clock.nowMs()) out.push(deps.secretBox.decrypt(d.previousSecretEnc));
  return out;
}

/** One attempt: POST the signed body; the answer's status decides (its body is not read). */
async function send(deps: WebhookDeliveryDeps, d: DueDelivery, options: WebhookDeliveryOptions): Promise<Outcome> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const at = deps.clock.now();
  let signature: string;
  try {
    signature = signatureHeader(secretsOf(deps, d), d.messageId, at, d.body);
  } catch (e) {
    return { ok: false, status: null, error: `cannot sign: ${errorMessage(e)}`, receiverDown: false };
  }
  const abort = new AbortController();
  const timer = new AbortController();
  void deps.clock.sleep(timeoutMs, timer.signal).then(
    () => abort.abort(new DeliveryTimeout(`no answer within ${Math.round(timeoutMs / 1000)} s`)),
    () => undefined,
  );
  const onShutdown = (): void => abort.abort(new Error('shutting down'));
  options.signal?.addEventListener('abort', onShutdown, { once: true });
  try {
    const res = await (deps.fetch ?? fetch)(d.url, {
      method: 'POST',
      body: d.body,
      redirect: 'manual',
      signal: abort.signal,
      headers: {
        'content-type': 'application/json',
        'user-agent': USER_AGENT,
        'webhook-id': d.messageId,
        'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
        'webhook-signature': signature,
      },
    });
    await res.body?.cancel().catch(() => undefined);
    if (res.status >= 200 && res.status < 300) return { ok: true, status: res.status };
    return { ok: false, status: res.status, error: `the receiver answered HTTP ${res.status}`, receiverDown: false };
  } catch (e) {
    const reason = abort.signal.aborted ? abort.signal.reason : e;
    const timedOut = reason instanceof DeliveryTimeout;
    const cause = (e as { cause?: { code?: string } }).cause?.code;
    return { ok: false, status: null, error: timedOut ? `timed out: ${errorMessage(reason)}` : `unreachable: ${cause ?? errorMessage(reason)}`, receiverDown: true };
  } finally {
    timer.abort();
    options.signal?.removeEventListener('abort', onShutdown);
  }
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return '?';
  }
}
