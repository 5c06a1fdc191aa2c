/**
 * @module sync-registry
 * Which syncs exist: kind → runner. Sync modules register here (in the composition root), and
 * three callers use it: the job queue's worker (`attachToQueue`), the CLI `sync <kind>` (runs one
 * in the foreground with progress) and the quick start (runs every `firstRun` kind once).
 */
import type { JobHandler, JobTrigger } from '../queue/types.js';
import { isJobKind, type JobKind } from './job-kinds.js';
import { noteRunProgress } from './sync-run.js';

/** Which id a sync needs. */
export type SyncScope = 'integration' | 'price-list' | 'global';

export interface SyncRunRequest {
  kind: JobKind;
  integrationId?: number;
  priceListId?: number;
  trigger: JobTrigger;
  payload?: Record<string, unknown>;
}

/** Progress as a runner reports it; `total` is unknown until the first page says so. */
export interface SyncProgress {
  done: number;
  total?: number;
  message?: string;
}

export interface SyncRunContext {
  request: SyncRunRequest;
  signal: AbortSignal;
  progress(progress: SyncProgress): void | Promise<void>;
}

/** What a run reports (B9); per-item failures are counted here, never thrown. */
export interface SyncOutcome {
  status: 'ok' | 'partial' | 'failed';
  counts?: Record<string, number>;
  message?: string;
}

export type SyncRunner = (ctx: SyncRunContext) => Promise<SyncOutcome>;

export interface SyncKind {
  kind: JobKind;
  /** One sentence for `--help` and the API docs. */
  description: string;
  scope: SyncScope;
  /** Run once by the quick start after the demo integration is created. */
  firstRun?: boolean;
  runner: SyncRunner;
}

/** The part of the job queue the registry attaches to. */
export interface HandlerRegistrar {
  work(kind: JobKind, handler: JobHandler): void;
}

const toId = (v: string | null): number | undefined => (v === null || v === '' ? undefined : Number(v));

/**
 * @example
 * const syncs = new SyncRegistry();
 * syncs.register({ kind: CATEGORIES_KIND, description: 'MoySklad folders → site categories (R2)', scope: 'integration', runner });
 * syncs.attachToQueue(queue);
 */
export class SyncRegistry {
  readonly #kinds = new Map<JobKind, SyncKind>();

  register(kind: SyncKind): this {
    if (this.#kinds.has(kind.kind)) throw new Error(`sync kind ${kind.kind} is registered twice`);
    // B9: every progress report also lands on the run's row (read by the admin panel from any process).
    const runner: SyncRunner = (ctx) =>
      kind.runner({
        ...ctx,
        progress: async (p) => {
          await noteRunProgress(p.done, p.total);
          await ctx.progress(p);
        },
      });
    this.#kinds.set(kind.kind, { ...kind, runner });
    return this;
  }

  get(kind: string): SyncKind | undefined {
    return isJobKind(kind) ? this.#kinds.get(kind) : undefined;
  }

  has(kind: string): boolean {
    return isJobKind(kind) && this.#kinds.has(kind);
  }

  list(): SyncKind[] {
    return [...this.#kinds.values()].sort((a, b) => a.kind.localeCompare(b.kind));
  }

  /** Registers every kind as a queue handler, so enqueued jobs run through the same runners. */
  attachToQueue(queue: HandlerRegistrar): void {
    for (const k of this.#kinds.values()) {
      queue.work(k.kind, async (ctx) => {
        const request: SyncRunRequest = {
          kind: k.kind,
          trigger: ctx.job.trigger as JobTrigger,
          payload: ctx.job.payload,
        };
        const integrationId = toId(ctx.job.integrationId);
        const priceListId = toId(ctx.job.priceListId);
        if (integrationId !== undefined) request.integrationId = integrationId;
        if (priceListId !== undefined) request.priceListId = priceListId;
        return k.runner({ request, signal: ctx.signal, progress: (p) => ctx.progress({ ...p }) });
      });
    }
  }
}
