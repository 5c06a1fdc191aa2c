/**
 * @module app
 * `createApp(deps)` builds the whole HTTP surface from injected dependencies: health, the
 * platform REST API under `/api/v1` (bearer auth), its OpenAPI document and page, and mount
 * points for the admin panel and anything else the composition root adds (e.g. the emulator).
 * Testable with `app.request()`; no sockets.
 */
import { Hono } from 'hono';
import type { ApiDeps } from './api-deps.js';
import { API_PREFIX } from './api-deps.js';
import { mountOperations, type ApiOperation } from './api-router.js';
import { ApiTokenService, bearerAuth } from './auth.js';
import { createErrorHandler, notFoundHandler, type ErrorLogger } from './error-handler.js';
import { mountHealth, type ReadinessProbe } from './health.js';
import { buildOpenApiDocument, renderOpenApiHtml } from './openapi.js';
import { streamingBodyLimit } from './body-limit.js';
import { HOOKS_PATH_PREFIX, MAX_HOOK_BODY_BYTES } from './routes/hooks.routes.js';
import { catalogOperations } from './routes/catalog.routes.js';
import { changeOperations } from './routes/changes.routes.js';
import { integrationOperations } from './routes/integrations.routes.js';
import { dataQualityOperations } from './routes/data-quality.routes.js';
import { priceListFeedOperations } from './routes/price-list-feeds.routes.js';
import { webhookOperations } from './routes/webhooks.routes.js';
import { counterpartyOperations } from './routes/counterparties.routes.js';
import { orderOperations } from './routes/orders.routes.js';
import { priceListOperations } from './routes/price-lists.routes.js';
import { regionOperations } from './routes/regions.routes.js';

export const APP_VERSION = '0.1.0';

export interface AppDeps extends ApiDeps {
  logger: ErrorLogger;
  readiness: ReadinessProbe;
  /** The admin panel plugs in here (it owns `/admin`). */
  mountAdmin?: (app: Hono) => void;
  /** Further mounts by the composition root, e.g. the in-process emulator under `/emulator`. */
  mountExtra?: (app: Hono) => void;
}

/** Every `/api/v1` operation, in documentation order. */
export function apiOperations(deps: ApiDeps): ApiOperation[] {
  return [
    ...regionOperations(deps),
    ...priceListOperations(deps),
    ...counterpartyOperations(deps, 'client'),
    ...counterpartyOperations(deps, 'supplier'),
    ...priceListFeedOperations(deps),
    ...orderOperations(deps),
    ...catalogOperations(deps),
    ...changeOperations(deps),
    ...integrationOperations(deps),
    ...dataQualityOperations(deps),
    ...webhookOperations(deps),
  ];
}

/** @example const app = createApp(deps); const res = await app.request('/healthz'); */
export function createApp(deps: AppDeps): Hono {
  const app = new Hono();
  app.onError(createErrorHandler(deps.logger));
  app.notFound(notFoundHandler);
  // S1: every body is capped while streaming, before any route reads it (1 MiB; the webhook intake 4 MiB).
  app.use('*', streamingBodyLimit({ caps: [{ pathPrefix: HOOKS_PATH_PREFIX, maxBytes: MAX_HOOK_BODY_BYTES }] }));

  mountHealth(app, { clock: deps.clock, readiness: deps.readiness, version: APP_VERSION, startedAtMs: deps.clock.nowMs() });

  const operations = apiOperations(deps);
  const doc = buildOpenApiDocument(operations, API_PREFIX, APP_VERSION);
  const html = renderOpenApiHtml(doc);
  app.get(`${API_PREFIX}/openapi.json`, (c) => c.json(doc));
  app.get(`${API_PREFIX}/docs`, (c) => c.html(html));

  app.use(`${API_PREFIX}/*`, bearerAuth(new ApiTokenService({ db: deps.db, clock: deps.clock })));
  mountOperations(app, API_PREFIX, operations);

  deps.mountAdmin?.(app);
  deps.mountExtra?.(app);
  return app;
}
