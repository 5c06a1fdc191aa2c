/**
 * @module system-pages
 * Служебные: Система → Логи (`log-pages.tsx`, R32), История синхронизаций (`history-pages.tsx`,
 * B9) and the platform API tokens (`token-pages.tsx`, B8), registered in this order.
 */
import type { Hono } from 'hono';
import type { AdminEnv, AdminPanelDeps } from './admin-helpers.js';
import { registerHistoryRoutes } from './history-pages.js';
import { registerLogRoutes } from './log-pages.js';
import { registerTokenRoutes } from './token-pages.js';

export function registerSystemRoutes(admin: Hono<AdminEnv>, deps: AdminPanelDeps): void {
  registerLogRoutes(admin, deps);
  registerHistoryRoutes(admin, deps);
  registerTokenRoutes(admin, deps);
}
