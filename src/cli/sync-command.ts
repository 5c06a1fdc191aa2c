/**
 * @module sync-command
 * `moysklad-exchange sync <kind>`: runs one registered sync in the foreground and shows its
 * progress — a progress bar on a terminal (`cli-progress`), a plain line per 10 % (or per
 * message) otherwise; `sync --help` lists the kinds with what they do, in Russian and English.
 */
import cliProgress from 'cli-progress';
import { KIND_TEXTS } from '../domain/sync-kind-texts.js';
import { NotFoundError } from '../core/errors.js';
import { systemClock } from '../core/clock.js';
import type { Db } from '../store/db.js';
import { IntegrationRepository } from '../store/repositories/integration-repository.js';
import { PriceListRepository } from '../store/repositories/price-list-repository.js';
import type { SyncOutcome, SyncProgress, SyncRegistry, SyncRunRequest } from '../sync/sync-registry.js';

export interface ForegroundSyncOptions {
  db: Db;
  registry: SyncRegistry;
  kind: string;
  integration?: string | undefined;
  priceList?: string | undefined;
  stdout: { write(s: string): unknown; isTTY?: boolean };
  signal?: AbortSignal;
}

const parseId = (flag: string, v: string | undefined): number | undefined => {
  if (v === undefined) return undefined;
  if (!/^[1-9]\d*$/.test(v)) throw new Error(`${flag} must be a positive integer, got "${v}"`);
  return Number(v);
};

/** Formats one progress line: `nomenclature.full  1200/5000  24%  products page 2`. */
export function formatProgress(kind: string, p: SyncProgress): string {
  const pct = p.total ? ` ${Math.min(100, Math.floor((p.done / p.total) * 100))}%` : '';
  return `${kind}  ${p.done}${p.total ? `/${p.total}` : ''}${pct}${p.message ? `  ${p.message}` : ''}`;
}

/** The `sync --help` list: every kind, with its Russian and English name and sentence. */
export function syncKindsHelp(): string {
  const width = Math.max(...Object.keys(KIND_TEXTS).map((k) => k.length));
  const lines = Object.entries(KIND_TEXTS).map(([kind, t]) => {
    const pad = ' '.repeat(width + 4);
    return `  ${kind.padEnd(width)}  ${t.name.ru} — ${t.about.ru}\n${pad}${t.name.en} — ${t.about.en}`;
  });
  return `\nKinds (виды синхронизаций):\n${lines.join('\n')}\n\nstock.full and stock.incremental need --price-list <id>; the other kinds take --integration <id> (default: the central region's).`;
}

/** A terminal progress bar (cli-progress) for one run: `nomenclature.full [████░░░░] 42% 2100/5000`. */
function terminalBar(kind: string, stream: NodeJS.WritableStream) {
  const bar = new cliProgress.SingleBar(
    { stream, format: `${kind} [{bar}] {percentage}% {value}/{total} {step}`, hideCursor: true, clearOnComplete: false, barsize: 30, etaBuffer: 50 },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(p: SyncProgress): void {
      const total = p.total ?? Math.max(p.done, 1);
      if (!started) {
        bar.start(total, p.done, { step: p.message ?? '' });
        started = true;
        return;
      }
      bar.setTotal(total);
      bar.update(p.done, { step: p.message ?? '' });
    },
    stop(): void {
      if (started) bar.stop();
    },
  };
}

export async function runSyncInForeground(o: ForegroundSyncOptions): Promise<SyncOutcome> {
  const kind = o.registry.get(o.kind);
  if (!kind) {
    const known = o.registry.list().map((k) => k.kind);
    throw new NotFoundError('sync kind', `${o.kind} (known: ${known.length ? known.join(', ') : 'none registered yet'})`);
  }
  const request: SyncRunRequest = { kind: kind.kind, trigger: 'cli' };
  const integrationId = parseId('--integration', o.integration);
  const priceListId = parseId('--price-list', o.priceList);
  // Lookups only: the clock is never read.
  const integrations = new IntegrationRepository(o.db, systemClock);
  if (kind.scope === 'price-list') {
    if (priceListId === undefined) throw new Error(`sync ${kind.kind} needs --price-list <id>`);
    const pl = await new PriceListRepository(o.db, systemClock).find(priceListId);
    if (!pl) throw new NotFoundError('price list', priceListId);
    request.priceListId = priceListId;
    const integ = await integrations.findByRegion(pl.regionId);
    if (integ) request.integrationId = integ.id;
  } else if (kind.scope === 'integration') {
    let id = integrationId;
    if (id === undefined) {
      const central = await integrations.findCentral();
      if (!central) throw new Error(`sync ${kind.kind} needs --integration <id> (the central region has no integration)`);
      id = central.id;
    } else if (!(await integrations.find(id))) {
      throw new NotFoundError('integration', id);
    }
    request.integrationId = id;
  }
  const tty = o.stdout.isTTY === true;
  const bar = tty ? terminalBar(kind.kind, o.stdout as unknown as NodeJS.WritableStream) : null;
  let lastBucket = -1;
  let lastMessage: string | undefined;
  const progress = (p: SyncProgress): void => {
    if (bar) {
      bar.update(p);
      return;
    }
    const line = formatProgress(kind.kind, p);
    const bucket = p.total ? Math.floor((p.done / p.total) * 10) : -1;
    if (bucket !== lastBucket || p.message !== lastMessage) o.stdout.write(`${line}\n`);
    lastBucket = bucket;
    lastMessage = p.message;
  };
  let outcome: SyncOutcome;
  try {
    outcome = await kind.runner({ request, signal: o.signal ?? new AbortController().signal, progress });
  } finally {
    bar?.stop();
  }
  const counts = outcome.counts ? Object.entries(outcome.counts).map(([k, v]) => `${k}=${v}`).join(' ') : '';
  o.stdout.write(`${kind.kind}: ${outcome.status}${counts ? `  ${counts}` : ''}${outcome.message ? `  ${outcome.message}` : ''}\n`);
  return outcome;
}
