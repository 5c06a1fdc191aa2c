/**
 * @module moysklad/lists
 * Paging through lists and creating in batches, on top of the transport.
 */
import type { z } from 'zod';
import { MoySkladBadResponseError } from './errors.js';
import type { ListQuery } from './query.js';
import { errorBodySchema } from './schemas/error.js';
import { listOf } from './schemas/list.js';
import { hasSyncId, type MoySkladTransport } from './transport.js';
import type { BatchItemResult, BatchOptions } from './types.js';

export const MAX_BATCH_ITEMS = 1000;
export const DEFAULT_BATCH_BYTES = 9 * 1024 * 1024;

/**
 * Pages through a list: yields the rows of each page (validated by `rowSchema`) following
 * `meta.size` and `offset`. The page size is 1000, or 100 when `expand` is set (MoySklad ignores
 * expand above 100). Pass an `order` for stable paging of lists that change meanwhile.
 */
export async function* pages<S extends z.ZodType>(t: MoySkladTransport, path: string, query: ListQuery, rowSchema: S, signal?: AbortSignal): AsyncGenerator<Array<z.infer<S>>> {
  const hasExpand = query.expand !== undefined && query.expand.length > 0;
  const limit = Math.min(query.limit ?? (hasExpand ? 100 : 1000), 1000);
  let offset = query.offset ?? 0;
  const envelope = listOf(rowSchema);
  for (;;) {
    const body = await t.request('GET', path, { query: { ...query, limit, offset }, signal });
    const page = t.parse(envelope, body, 'GET', path);
    const rows = page.rows as Array<z.infer<S>>;
    if (rows.length > 0) yield rows;
    offset += rows.length;
    if (rows.length === 0 || offset >= page.meta.size) return;
  }
}

/** All rows of a list (every page). */
export async function listAll<S extends z.ZodType>(t: MoySkladTransport, path: string, query: ListQuery, rowSchema: S, signal?: AbortSignal): Promise<Array<z.infer<S>>> {
  const all: Array<z.infer<S>> = [];
  for await (const rows of pages(t, path, query, rowSchema, signal)) all.push(...rows);
  return all;
}

/**
 * Creates many objects of `type` (`entity/<type>` or a full path such as
 * `entity/customerorder/<id>/positions`), split by 1000 items and by ~9 MB of JSON. Returns one
 * result per input item in input order: a per-item error is data, not a throw (MoySklad answers
 * 400 when some items fail and still saves the others).
 */
export async function batchCreate<S extends z.ZodType>(
  t: MoySkladTransport,
  type: string,
  items: readonly unknown[],
  schema: S,
  options: BatchOptions = {},
): Promise<Array<BatchItemResult<z.infer<S>>>> {
  const path = type.includes('/') ? type : `entity/${type}`;
  const maxItems = Math.min(options.maxItems ?? MAX_BATCH_ITEMS, MAX_BATCH_ITEMS);
  const maxBytes = options.maxBytes ?? DEFAULT_BATCH_BYTES;
  const results: Array<BatchItemResult<z.infer<S>>> = [];
  for (const chunk of splitBatch(items, maxItems, maxBytes)) {
    const idempotent = options.idempotent ?? chunk.items.every(hasSyncId);
    const ex = await t.send('POST', path, { body: chunk.items, signal: options.signal, idempotent, acceptBatchErrors: true });
    if (!Array.isArray(ex.body) || ex.body.length !== chunk.items.length) {
      throw new MoySkladBadResponseError(`Batch POST ${path} answered ${ex.status} without one result per item`, { status: ex.status, method: 'POST', path: t.relPath(path) });
    }
    ex.body.forEach((row: unknown, i: number) => {
      const index = chunk.start + i;
      const err = errorBodySchema.safeParse(row);
      if (err.success) results.push({ index, ok: false, errors: err.data.errors.map((e) => t.redactEntry(e)) });
      else results.push({ index, ok: true, entity: t.parse(schema, row, 'POST', path) });
    });
  }
  return results;
}

/** Splits items into chunks of at most `maxItems` and at most `maxBytes` of JSON (an array's brackets and commas included). */
export function splitBatch<T>(items: readonly T[], maxItems: number, maxBytes: number): Array<{ start: number; items: T[] }> {
  const chunks: Array<{ start: number; items: T[] }> = [];
  let current: T[] = [];
  let start = 0;
  let bytes = 2;
  items.forEach((item, i) => {
    const size = Buffer.byteLength(JSON.stringify(item)) + 1;
    if (current.length > 0 && (current.length >= maxItems || bytes + size > maxBytes)) {
      chunks.push({ start, items: current });
      current = [];
      start = i;
      bytes = 2;
    }
    current.push(item);
    bytes += size;
  });
  if (current.length) chunks.push({ start, items: current });
  return chunks;
}
