import { describe, expect, it } from 'vitest';
import type { JobContext, JobHandler } from '../queue/types.js';
import { SyncRegistry, type SyncRunContext } from './sync-registry.js';

describe('SyncRegistry', () => {
  it('B9 queue jobs run the registered runner with numeric ids, the trigger and progress passed through', async () => {
    const seen: SyncRunContext[] = [];
    const registry = new SyncRegistry().register({
      kind: 'stock.full',
      description: 'stock of one price list',
      scope: 'price-list',
      runner: async (ctx) => {
        seen.push(ctx);
        await ctx.progress({ done: 5, total: 10, message: 'half' });
        return { status: 'ok', counts: { rows: 10 } };
      },
    });
    const handlers = new Map<string, JobHandler>();
    registry.attachToQueue({ work: (kind, h) => void handlers.set(kind, h) });
    expect([...handlers.keys()]).toEqual(['stock.full']);
    const progress: unknown[] = [];
    const ctx: JobContext = {
      job: { id: 'j1', kind: 'stock.full', integrationId: '3', priceListId: '7', trigger: 'schedule', payload: { a: 1 }, attempt: 1, maxAttempts: 5, singletonKey: 'stock.full|pl:7' },
      signal: new AbortController().signal,
      progress: async (p) => void progress.push(p),
    };
    const result = await handlers.get('stock.full')!(ctx);
    expect(result).toEqual({ status: 'ok', counts: { rows: 10 } });
    expect(seen[0]!.request).toEqual({ kind: 'stock.full', integrationId: 3, priceListId: 7, trigger: 'schedule', payload: { a: 1 } });
    expect(progress).toEqual([{ done: 5, total: 10, message: 'half' }]);
  });

  it('B9 a kind cannot be registered twice and unknown kinds are absent', () => {
    const runner = async () => ({ status: 'ok' as const });
    const r = new SyncRegistry().register({ kind: 'categories', description: 'd', scope: 'integration', runner });
    expect(() => r.register({ kind: 'categories', description: 'd', scope: 'integration', runner })).toThrow('registered twice');
    expect(r.has('nomenclature.full')).toBe(false);
    expect(r.list().map((k) => k.kind)).toEqual(['categories']);
  });
});
