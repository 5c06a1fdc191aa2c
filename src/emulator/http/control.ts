/**
 * @module control
 * `/__control/*`: run-time switches for tests, the demo and benchmarks (JSON, no auth, outside /api/remap).
 *   GET  /__control/stats            → EmulatorStats
 *   POST /__control/faults           ← FaultSettings (merged); GET returns the current ones
 *   POST /__control/limits           ← false | Partial<RateLimitSettings>
 *   POST /__control/latency          ← { baseMs, perRowMs }
 *   POST /__control/report-row-limit ← { limit: N | null } (C10: current-stock reports answer 13005 past N rows); GET returns it
 *   POST /__control/reset            ← { state?: boolean } resets stats, faults and buckets (and re-seeds when state is true)
 *   POST /__control/flush-webhooks   → delivers pending stock notifications and waits for deliveries
 */

import { Hono } from 'hono';
import type { FaultSettings } from '../faults.js';
import type { RateLimitSettings } from './rate-limit.js';
import type { EmulatorStats } from './stats.js';

export interface ControlTarget {
  stats(): EmulatorStats;
  getFaults(): FaultSettings;
  setFaults(f: FaultSettings): void;
  setLimits(l: false | Partial<RateLimitSettings>): void;
  getLimits(): false | RateLimitSettings;
  setLatency(l: { baseMs?: number; perRowMs?: number }): void;
  getReportRowLimit(): number | null;
  setReportRowLimit(limit: number | null): void;
  reset(options: { state?: boolean }): void;
  flushWebhooks(): Promise<void>;
}

async function jsonBody(req: Request): Promise<unknown> {
  const text = await req.text();
  return text.trim() === '' ? {} : (JSON.parse(text) as unknown);
}

export function controlRoutes(t: ControlTarget): Hono {
  const app = new Hono();
  app.get('/stats', (c) => c.json(t.stats()));
  app.get('/faults', (c) => c.json(t.getFaults()));
  app.post('/faults', async (c) => {
    t.setFaults((await jsonBody(c.req.raw)) as FaultSettings);
    return c.json(t.getFaults());
  });
  app.get('/limits', (c) => c.json(t.getLimits()));
  app.post('/limits', async (c) => {
    t.setLimits((await jsonBody(c.req.raw)) as false | Partial<RateLimitSettings>);
    return c.json(t.getLimits());
  });
  app.post('/latency', async (c) => {
    t.setLatency((await jsonBody(c.req.raw)) as { baseMs?: number; perRowMs?: number });
    return c.json({ ok: true });
  });
  app.get('/report-row-limit', (c) => c.json({ limit: t.getReportRowLimit() }));
  app.post('/report-row-limit', async (c) => {
    const body = (await jsonBody(c.req.raw)) as { limit?: unknown };
    const limit = body.limit === null || body.limit === undefined ? null : Number(body.limit);
    if (limit !== null && (!Number.isFinite(limit) || limit < 0)) return c.json({ error: 'limit must be a non-negative number or null' }, 400);
    t.setReportRowLimit(limit);
    return c.json({ limit: t.getReportRowLimit() });
  });
  app.post('/reset', async (c) => {
    t.reset((await jsonBody(c.req.raw)) as { state?: boolean });
    return c.json({ ok: true });
  });
  app.post('/flush-webhooks', async (c) => {
    await t.flushWebhooks();
    return c.json({ ok: true });
  });
  app.onError((err, c) => c.json({ error: err.message }, 400));
  return app;
}
