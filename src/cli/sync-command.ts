/**
 * @module sync-command
 * `moysklad-exchange sync <kind>`: runs one registered sync in the foreground and shows its
 * progress — a live line on a terminal, a line per 10 % (or per message) otherwise.
 */
import type { Kysely } from 'kysely';
import { NotFoundError } from '../core/errors.js';
import type { Database } from '../store/schema.js';
import type { SyncOutcome, SyncProgress, SyncRegistry, SyncRunRequest } from '../sync/sync-registry.js';

export interface ForegroundSyncOptions {
  db: Kysely<Database>;
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

export async function runSyncInForeground(o: ForegroundSyncOptions): Promise<SyncOutcome> {
  const kind = o.registry.get(o.kind);
  if (!kind) {
    const known = o.registry.list().map((k) => k.kind);
    throw new NotFoundError('sync kind', `${o.kind} (known: ${known.length ? known.join(', ') : 'none registered yet'})`);
  }
  const request: SyncRunRequest = { kind: kind.kind, trigger: 'cli' };
  const integrationId = parseId('--integration', o.integration);
  const priceListId = parseId('--price-list', o.priceList);
  if (kind.scope === 'price-list') {
    if (priceListId === undefined) throw new Error(`sync ${kind.kind} needs --price-list <id>`);
    const pl = await o.db.selectFrom('priceLists').select(['id', 'regionId']).where('id', '=', priceListId).executeTakeFirst();
    if (!pl) throw new NotFoundError('price list', priceListId);
    request.priceListId = priceListId;
    const integ = await o.db.selectFrom('integrations').select('id').where('regionId', '=', pl.regionId).executeTakeFirst();
    if (integ) request.integrationId = Number(integ.id);
  } else if (kind.scope === 'integration') {
    let id = integrationId;
    if (id === undefined) {
      const central = await o.db
        .selectFrom('integrations')
        .innerJoin('regions', 'regions.id', 'integrations.regionId')
        .select('integrations.id')
        .where('regions.isCentral', '=', 1)
        .executeTakeFirst();
      if (!central) throw new Error(`sync ${kind.kind} needs --integration <id> (the central region has no integration)`);
      id = Number(central.id);
    } else if (!(await o.db.selectFrom('integrations').select('id').where('id', '=', id).executeTakeFirst())) {
      throw new NotFoundError('integration', id);
    }
    request.integrationId = id;
  }
  const tty = o.stdout.isTTY === true;
  let lastBucket = -1;
  let lastMessage: string | undefined;
  const progress = (p: SyncProgress): void => {
    const line = formatProgress(kind.kind, p);
    if (tty) {
      o.stdout.write(`\r\x1b[2K${line}`);
      return;
    }
    const bucket = p.total ? Math.floor((p.done / p.total) * 10) : -1;
    if (bucket !== lastBucket || p.message !== lastMessage) o.stdout.write(`${line}\n`);
    lastBucket = bucket;
    lastMessage = p.message;
  };
  const outcome = await kind.runner({ request, signal: o.signal ?? new AbortController().signal, progress });
  if (tty) o.stdout.write('\n');
  const counts = outcome.counts ? Object.entries(outcome.counts).map(([k, v]) => `${k}=${v}`).join(' ') : '';
  o.stdout.write(`${kind.kind}: ${outcome.status}${counts ? `  ${counts}` : ''}${outcome.message ? `  ${outcome.message}` : ''}\n`);
  return outcome;
}
