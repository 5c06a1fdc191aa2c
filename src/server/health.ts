/**
 * @module health
 * `GET /healthz`: the process is up. `GET /readyz`: the database answers and every known
 * migration is applied (503 otherwise, with the reason).
 */
import type { Hono } from 'hono';
import type { Clock } from '../core/clock.js';
import { errorMessage } from '../core/errors.js';

export interface ReadinessProbe {
  /** Throws when the database is unreachable. */
  migrationStatus(): Promise<{ applied: string[]; pending: string[] }>;
}

export function mountHealth(app: Hono, deps: { clock: Clock; readiness: ReadinessProbe; version: string; startedAtMs: number }): void {
  app.get('/healthz', (c) =>
    c.json({ status: 'ok', version: deps.version, uptimeMs: Math.max(0, deps.clock.nowMs() - deps.startedAtMs) }),
  );
  app.get('/readyz', async (c) => {
    try {
      const status = await deps.readiness.migrationStatus();
      if (status.pending.length > 0) {
        return c.json({ status: 'not_ready', database: 'ok', migrations: { applied: status.applied.length, pending: status.pending } }, 503);
      }
      return c.json({ status: 'ready', database: 'ok', migrations: { applied: status.applied.length, pending: [] } });
    } catch (e) {
      return c.json({ status: 'not_ready', database: 'unreachable', error: errorMessage(e).split('\n')[0] }, 503);
    }
  });
}
