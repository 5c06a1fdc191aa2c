/**
 * @module server/metrics
 * `GET /metrics` in Prometheus text format. The metrics themselves live in `src/metrics/metrics.ts`
 * (nothing may import `server`); they are re-exported here for existing callers.
 */
import { metrics, type Metrics } from '../metrics/metrics.js';

export { createMetrics, metrics, type Metrics, type QueueDepthSource } from '../metrics/metrics.js';

/** Builds a `/metrics` handler over a metrics set (usable as a Hono handler: it ignores its argument). */
export function createMetricsHandler(set: Metrics): (c?: unknown) => Promise<Response> {
  return async () =>
    new Response(await set.registry.metrics(), {
      status: 200,
      headers: { 'Content-Type': set.registry.contentType },
    });
}

/** `GET /metrics` in Prometheus text format for the shared `metrics`. Mount: `app.get('/metrics', metricsHandler)`. */
export const metricsHandler = createMetricsHandler(metrics);
