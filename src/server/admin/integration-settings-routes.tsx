/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
/**
 * @module integration-settings-routes
 * One integration's page (`/admin/integrations/:id`): the settings form and its save (an
 * integration made active gets its first syncs at once), new credentials (checked against
 * MoySklad first, R10), manual sync runs, webhook re-registration (B3), deactivation and deletion.
 * The logic lives in `IntegrationSetupService`; these handlers only call it.
 */
import type { Hono } from 'hono';
import { enqueueFirstSyncs } from '../../app/first-syncs.js';
import { CatalogViewRepository } from '../../store/repositories/catalog-view-repository.js';
import type { IntegrationOptions } from '../../store/repositories/integration-repository.js';
import { IntegrationProblemRepository } from '../../store/repositories/integration-problem-repository.js';
import { PriceListRepository } from '../../store/repositories/price-list-repository.js';
import { RegionRepository } from '../../store/repositories/region-repository.js';
import { WEBHOOKS_KIND } from '../../sync/webhooks/webhook-sync-kinds.js';
import type { AdminContext, AdminEnv, AdminPanelDeps } from './admin-helpers.js';
import { afterRunFromQuery, field, flashFromQuery, idParam } from './admin-helpers.js';
import { credentialsOf } from './integration-credentials.js';
import { SettingsPage, problemText, type SettingsData } from './integration-settings-view.js';
import { lastRunId, liveData } from './progress-block.js';

/** Everything the settings page shows of one integration, or null when there is none. */
async function settingsData(deps: AdminPanelDeps, id: number, afterRunId?: number): Promise<SettingsData | null> {
  const { db, clock, setup } = deps;
  const integration = await setup.integrations.find(id);
  if (!integration) return null;
  const region = await new RegionRepository(db, clock).get(integration.regionId);
  const account = await setup.accounts.get(integration.msAccountId);
  const got = await setup.choices(id);
  const categories = await new CatalogViewRepository(db).categoryChoices(500);
  return {
    integration,
    region: region.name,
    regionRow: region,
    problems: await new IntegrationProblemRepository(db, clock).listOpen(id),
    account: { login: account.login, authKind: account.authKind, label: account.label },
    choices: got.ok ? got.choices : null,
    choicesProblem: got.ok ? null : got,
    categories,
    live: await liveData(deps, { integrationId: id, ...(afterRunId !== undefined ? { afterRunId } : {}) }),
    afterRunId,
    kinds: deps.syncs
      .list()
      .filter((k) => k.scope === 'integration')
      .map((k) => ({ kind: k.kind, description: k.description })),
    webhooksKind: deps.syncs.has(WEBHOOKS_KIND),
  };
}

/** The settings page again with what was refused (422, nothing saved). */
async function refusedSettings(c: AdminContext, deps: AdminPanelDeps, id: number, result: { problem: string; detail?: string }): Promise<Response> {
  const v = c.get('view');
  const d = (await settingsData(deps, id))!;
  return c.html(<SettingsPage v={v} d={d} flash={{ kind: 'error', text: `${problemText(v, result.problem, result.detail)} ${v.t('problem.nothingSaved')}` }} />, 422);
}

async function settingsPage(c: AdminContext, deps: AdminPanelDeps): Promise<Response> {
  const id = idParam(c);
  const d = id ? await settingsData(deps, id, afterRunFromQuery(c)) : null;
  if (!d) return c.notFound();
  return c.html(<SettingsPage v={c.get('view')} d={d} flash={flashFromQuery(c)} />);
}

/** The settings form's fields as the options to save (a checkbox is on when it sends `1`). */
function optionsOf(form: Record<string, unknown>): IntegrationOptions {
  const on = (name: string) => field(form, name) === '1';
  const orNull = (name: string) => field(form, name) || null;
  const siteCategory = field(form, 'siteCategoryId');
  return {
    organizationMsId: orNull('organizationMsId'),
    active: on('active'),
    exportPurchaseOrders: on('exportPurchaseOrders'),
    deleteRejectedPositions: on('deleteRejectedPositions'),
    reservePositions: on('reservePositions'),
    importPhotos: on('importPhotos'),
    categorySyncEnabled: on('categorySyncEnabled'),
    balanceSyncEnabled: on('balanceSyncEnabled'),
    rootFolderMsId: orNull('rootFolderMsId'),
    siteCategoryId: siteCategory ? Number(siteCategory) : null,
    defaultStoreMsId: orNull('defaultStoreMsId'),
  };
}

async function saveSettings(c: AdminContext, deps: AdminPanelDeps): Promise<Response> {
  const id = idParam(c);
  const before = id ? await deps.setup.integrations.find(id) : null;
  if (!id || !before) return c.notFound();
  const result = await deps.setup.saveOptions(id, optionsOf(await c.req.parseBody()));
  if (!result.ok) return refusedSettings(c, deps, id, result);
  if (!before.active && result.integration.active) {
    // An integration made active starts at once: its first syncs go to the queue.
    const after = await lastRunId(deps);
    const priceLists = (await new PriceListRepository(deps.db, deps.clock).list()).filter((p) => p.regionId === before.regionId && p.msStoreId).map((p) => Number(p.id));
    await enqueueFirstSyncs(deps, id, priceLists);
    return c.redirect(`/admin/integrations/${id}?done=int.activated&after=${after}`, 302);
  }
  return c.redirect(`/admin/integrations/${id}?done=common.saved`, 302);
}

async function changeCredentials(c: AdminContext, deps: AdminPanelDeps): Promise<Response> {
  const id = idParam(c);
  if (!id || !(await deps.setup.integrations.find(id))) return c.notFound();
  const credentials = credentialsOf(await c.req.parseBody());
  // An empty password (or token) means "keep the stored one": nothing to check or change.
  if (credentials.authKind === 'password' ? !credentials.password : !credentials.token) {
    return c.redirect(`/admin/integrations/${id}?error=problem.missing_input`, 302);
  }
  const result = await deps.setup.changeCredentials(id, credentials);
  if (!result.ok) return refusedSettings(c, deps, id, result);
  return c.redirect(`/admin/integrations/${id}?done=int.credentialsSaved`, 302);
}

async function runSync(c: AdminContext, deps: AdminPanelDeps): Promise<Response> {
  const id = idParam(c);
  const integration = id ? await deps.setup.integrations.find(id) : null;
  const kind = field(await c.req.parseBody(), 'kind');
  const k = deps.syncs.get(kind);
  if (!integration || !k || k.scope !== 'integration') return c.notFound();
  if (!integration.active) return c.redirect(`/admin/integrations/${integration.id}?error=problem.organization_required`, 302);
  const after = await lastRunId(deps);
  const r = await deps.enqueuer.enqueue({ kind: k.kind, integrationId: integration.id, trigger: 'admin' });
  return c.redirect(`/admin/integrations/${integration.id}?done=${r.merged ? 'common.merged' : 'common.queued'}&kind=${encodeURIComponent(kind)}&after=${after}`, 302);
}

// B3: re-register the account's MoySklad webhooks (the `webhooks` job for this integration's account).
async function registerWebhooks(c: AdminContext, deps: AdminPanelDeps): Promise<Response> {
  const id = idParam(c);
  const integration = id ? await deps.setup.integrations.find(id) : null;
  if (!integration || !deps.syncs.has(WEBHOOKS_KIND)) return c.notFound();
  if (!integration.active) return c.redirect(`/admin/integrations/${integration.id}?error=int.webhooksInactive`, 302);
  const r = await deps.enqueuer.enqueue({ kind: WEBHOOKS_KIND, integrationId: integration.id, trigger: 'admin' });
  return c.redirect(`/admin/integrations/${integration.id}?done=${r.merged ? 'common.merged' : 'common.queued'}&kind=${encodeURIComponent(WEBHOOKS_KIND)}`, 302);
}

async function deactivate(c: AdminContext, deps: AdminPanelDeps): Promise<Response> {
  const id = idParam(c);
  if (!id || !(await deps.setup.integrations.find(id))) return c.notFound();
  await deps.setup.deactivate(id);
  return c.redirect(`/admin/integrations/${id}?done=int.deactivated`, 302);
}

async function deleteIntegration(c: AdminContext, deps: AdminPanelDeps): Promise<Response> {
  const id = idParam(c);
  if (!id || !(await deps.setup.integrations.find(id))) return c.notFound();
  await deps.setup.deleteIntegration(id);
  // htmx (after its confirmation dialog) navigates on HX-Redirect; a plain form follows the 302.
  if (c.req.header('hx-request')) return c.body(null, 200, { 'HX-Redirect': '/admin/integrations?done=int.deleted' });
  return c.redirect('/admin/integrations?done=int.deleted', 302);
}

export function registerIntegrationSettingsRoutes(admin: Hono<AdminEnv>, deps: AdminPanelDeps): void {
  admin.get('/integrations/:id', (c) => settingsPage(c, deps));
  admin.post('/integrations/:id', (c) => saveSettings(c, deps));
  admin.post('/integrations/:id/credentials', (c) => changeCredentials(c, deps));
  admin.post('/integrations/:id/sync', (c) => runSync(c, deps));
  admin.post('/integrations/:id/webhooks', (c) => registerWebhooks(c, deps));
  admin.post('/integrations/:id/deactivate', (c) => deactivate(c, deps));
  admin.post('/integrations/:id/delete', (c) => deleteIntegration(c, deps));
}
