/**
 * @module price-list-export (use case)
 * R11/E5 a price list as a file for platforms that import by URL: CSV (UTF-8, `;`, CRLF, prices in
 * roubles) or JSON (kopecks and roubles). One implementation behind both the bearer-token route
 * (`/api/v1/price-lists/{id}/export.csv|json`) and the secret feed URL (`/feeds/{token}/…`).
 *
 * Generation consistency: the rows are read with `iterateRows`, which pins the generation current
 * at the start; a stock patch or swap while the pages are read makes it fail instead of mixing two
 * states, and the export starts again (a patch takes milliseconds); after five such restarts in a
 * row the caller gets 409 `price_list_swapped`. The body is assembled before the answer starts, so
 * a restart never sends half a file.
 */
import type { Kysely } from 'kysely';
import type { Clock } from '../core/clock.js';
import { ConflictError } from '../core/errors.js';
import { formatRoubles } from '../core/money.js';
import { PriceListRepository, type PriceListItem } from '../store/repositories/price-list-repository.js';
import type { Database, PriceListRow } from '../store/schema.js';

export type ExportFormat = 'csv' | 'json';

export const CSV_HEADER = 'brand;article;name;quantity;price;delivery_days';

/** Reads this many times at most when stock writes keep changing the list under the reader. */
export const EXPORT_ATTEMPTS = 5;

/** A CSV field: quoted when it holds `;`, a quote or a line break. */
export function csvField(value: string): string {
  return /[;"\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** A quantity without float noise (`3`, `2.5`). */
export function formatQuantity(q: number): string {
  return Number.isInteger(q) ? String(q) : String(Math.round(q * 1000) / 1000);
}

interface Renderer {
  start(): string[];
  rows(rows: readonly PriceListItem[], out: string[]): void;
  end(out: string[]): string;
  contentType: string;
  extension: string;
}

function renderer(format: ExportFormat, pl: PriceListRow, generatedAt: string): Renderer {
  const deliveryDays = pl.deliveryDays ?? 0;
  if (format === 'csv') {
    return {
      contentType: 'text/csv; charset=utf-8',
      extension: 'csv',
      start: () => [CSV_HEADER],
      rows: (rows, out) => {
        for (const r of rows) out.push([csvField(r.brand), csvField(r.article), csvField(r.name), formatQuantity(r.quantity), r.price === null ? '' : formatRoubles(r.price), String(deliveryDays)].join(';'));
      },
      end: (out) => out.join('\r\n') + '\r\n',
    };
  }
  return {
    contentType: 'application/json; charset=utf-8',
    extension: 'json',
    start: () => [],
    rows: (rows, out) => {
      for (const r of rows) {
        out.push(JSON.stringify({ brand: r.brand, article: r.article, name: r.name, quantity: Number(formatQuantity(r.quantity)), priceKopecks: r.price === null ? null : Math.round(r.price), price: r.price === null ? null : formatRoubles(r.price), deliveryDays, msProductId: r.msProductId }));
      }
    },
    end: (out) => `{"priceListId":${Number(pl.id)},"name":${JSON.stringify(pl.name)},"generatedAt":${JSON.stringify(generatedAt)},"rows":[${out.join(',')}]}`,
  };
}

/** The export as an HTTP answer (200 with the file; `ConflictError('price_list_swapped')` after 5 restarts). */
export async function exportPriceList(deps: { db: Kysely<Database>; clock: Clock }, pl: PriceListRow, format: ExportFormat, headers: Record<string, string> = {}): Promise<Response> {
  const repo = new PriceListRepository(deps.db, deps.clock);
  const id = Number(pl.id);
  let body = '';
  let r: Renderer | undefined;
  for (let attempt = 1; ; attempt++) {
    r = renderer(format, pl, deps.clock.now().toISOString());
    const out = r.start();
    try {
      for await (const rows of repo.iterateRows(id)) r.rows(rows, out);
      body = r.end(out);
      break;
    } catch (e) {
      if (!(e instanceof ConflictError && e.code === 'price_list_swapped') || attempt >= EXPORT_ATTEMPTS) throw e;
    }
  }
  return new Response(body, {
    status: 200,
    headers: { 'content-type': r.contentType, 'content-disposition': `attachment; filename="price-list-${id}.${r.extension}"`, ...headers },
  });
}
