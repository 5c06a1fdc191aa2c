/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
/**
 * @module integrations-pages
 * Интеграции → МойСклад: the list, "Создать" (credentials checked against MoySklad before anything
 * is saved, R10), the settings form with the account's organizations, folders and stores (R9,
 * R18, R21–R23, R29), new credentials, manual sync runs, deactivation and deletion. The logic
 * lives in `IntegrationSetupService`; these views only call it.
 */
import type { Hono } from 'hono';
import { ConflictError } from '../../core/errors.js';
import type { SetupCredentials } from '../../setup/integration-setup.js';
import { SetupError } from '../../setup/integration-setup.js';
import { WEBHOOKS_KIND } from '../../sync/webhooks/webhook-sync-kinds.js';
import { DataQualityRepository } from '../../store/repositories/data-quality-repository.js';
import { CatalogViewRepository } from '../../store/repositories/catalog-view-repository.js';
import { LogEntryRepository } from '../../store/repositories/log-entry-repository.js';
import { PriceListRepository } from '../../store/repositories/price-list-repository.js';
import { SyncRunRepository } from '../../store/repositories/sync-run-repository.js';
import { enqueueFirstSyncs } from '../../app/first-syncs.js';
import type { Integration } from '../../store/repositories/integration-repository.js';
import { RegionRepository } from '../../store/repositories/region-repository.js';
import { createRegion } from '../../app/region-service.js';
import { DEFAULT_TIME_ZONE, canonicalTimeZone } from '../../core/time-zone.js';
import { isRegionCountry } from '../../domain/phone.js';
import { IntegrationProblemRepository } from '../../store/repositories/integration-problem-repository.js';
import { RegionFields } from './accounts-pages.js';
import type { AdminEnv, AdminPanelDeps } from './admin-helpers.js';
import { afterRunFromQuery, field, flashFromQuery, idParam } from './admin-helpers.js';
import { kindName } from './i18n-staff.js';
import { lastRunId, liveData } from './progress-block.js';
import { SettingsPage, StateBadge, problemText, type SettingsData } from './integration-settings-view.js';

export { integrationState, problemText, webhookStatusText } from './integration-settings-view.js';
import { Csrf, Page, RunBadge, formatTime, type Flash, type ViewContext } from './layout.js';

interface ListRow {
  integration: Integration;
  region: string;
  login: string;
  lastRuns: Array<{ kind: string; status: string; finishedAt: string | null; startedAt: string }>;
  errors24h: number;
  dataQuality: number;
}

function credentialsOf(form: Record<string, unknown>): SetupCredentials {
  return field(form, 'authKind') === 'user_token'
    ? { authKind: 'user_token', token: field(form, 'token') }
    : { authKind: 'password', login: field(form, 'login'), password: field(form, 'password') };
}

function IntegrationList({ v, rows, flash }: { v: ViewContext; rows: ListRow[]; flash: Flash | null }) {
  return (
    <Page v={v} title={v.t('int.title')} flash={flash}>
      <p>
        <a class="button" href="/admin/integrations/new">
          {v.t('int.new')}
        </a>
      </p>
      {rows.length === 0 ? (
        <p class="card">{v.t('int.empty')}</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th>{v.t('common.region')}</th>
              <th>{v.t('int.login')}</th>
              <th>{v.t('int.organization')}</th>
              <th>{v.t('common.status')}</th>
              <th>{v.t('int.lastRuns')}</th>
              <th>{v.t('int.openErrors')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr data-integration={String(r.integration.id)}>
                <td>
                  <a href={`/admin/integrations/${r.integration.id}`}>{r.region}</a>
                </td>
                <td>{r.login}</td>
                <td>{r.integration.organizationName ?? v.t('common.none')}</td>
                <td>
                  <StateBadge v={v} i={r.integration} />
                </td>
                <td>
                  {r.lastRuns.length === 0 ? (
                    <span class="muted">{v.t('int.never')}</span>
                  ) : (
                    r.lastRuns.map((run) => (
                      <div>
                        {kindName(run.kind, v.lang)}: <RunBadge v={v} status={run.status} /> <span class="muted">{formatTime(run.finishedAt ?? run.startedAt, v.lang)}</span>
                      </div>
                    ))
                  )}
                </td>
                <td>
                  {r.integration.status === 'error' && r.integration.statusMessage ? <div class="badge error">{r.integration.statusMessage}</div> : null}
                  {r.errors24h > 0 ? (
                    <div>
                      <a href={`/admin/logs?integrationId=${r.integration.id}&level=error`}>{v.t('int.errorsCount', { n: r.errors24h })}</a>
                    </div>
                  ) : null}
                  {r.dataQuality > 0 ? (
                    <div>
                      <a href="/admin/products#data-quality">{v.t('int.dqCount', { n: r.dataQuality })}</a>
                    </div>
                  ) : null}
                  {r.errors24h === 0 && r.dataQuality === 0 && r.integration.status !== 'error' ? <span class="muted">{v.t('common.none')}</span> : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Page>
  );
}

function CreateForm({
  v,
  regions,
  flash,
  values,
  defaultTimeZone = DEFAULT_TIME_ZONE,
}: {
  v: ViewContext;
  regions: Array<{ id: number; name: string }>;
  flash: Flash | null;
  values: { regionId?: string; authKind?: string; login?: string };
  defaultTimeZone?: string;
}) {
  const token = values.authKind === 'user_token';
  return (
    <Page v={v} title={v.t('int.createTitle')} flash={flash}>
      <p class="hint">{v.t('int.createHint')}</p>
      {regions.length > 0 ? (
        <form method="post" action="/admin/integrations" class="card" id="create-integration">
          <Csrf v={v} />
          <label for="regionId">{v.t('common.region')}</label>
          <select id="regionId" name="regionId" required>
            {regions.map((r) => (
              <option value={String(r.id)} selected={values.regionId === String(r.id)}>
                {r.name}
              </option>
            ))}
          </select>
          <label>{v.t('int.authKind')}</label>
          <label class="check">
            <input type="radio" name="authKind" value="password" checked={!token} /> {v.t('int.authPassword')}
          </label>
          <label class="check">
            <input type="radio" name="authKind" value="user_token" checked={token} /> {v.t('int.authToken')}
          </label>
          <div class="pw-only">
            <label for="login">{v.t('int.login')}</label>
            <input type="text" id="login" name="login" value={values.login ?? ''} autocomplete="off" />
            <label for="password">{v.t('int.password')}</label>
            <input type="password" id="password" name="password" value="" autocomplete="new-password" />
          </div>
          <div class="token-only">
            <label for="token">{v.t('int.token')}</label>
            <input type="password" id="token" name="token" value="" autocomplete="off" />
          </div>
          <div>
            <button type="submit">{v.t('common.save')}</button>
          </div>
        </form>
      ) : (
        <p>{v.t('int.noFreeRegion')}</p>
      )}
      <form method="post" action="/admin/regions" class="card inline">
        <Csrf v={v} />
        <div>
          <label for="regionName">{v.t('int.regionName')}</label>
          <input type="text" id="regionName" name="name" required />
        </div>
        <div>
          <label for="regionCode">{v.t('int.regionCode')}</label>
          <input type="text" id="regionCode" name="code" required pattern="[a-z0-9_\-]+" title={v.t('int.regionCodeHint')} />
        </div>
        <RegionFields v={v} timeZone={defaultTimeZone} country="RU" />
        <button type="submit" class="secondary">
          {v.t('int.addRegion')}
        </button>
      </form>
    </Page>
  );
}

export function registerIntegrationRoutes(admin: Hono<AdminEnv>, deps: AdminPanelDeps): void {
  const { db, clock, setup } = deps;
  const regions = new RegionRepository(db, clock);

  const freeRegions = async () => {
    const taken = new Set((await setup.integrations.list()).map((i) => i.regionId));
    return (await regions.list()).filter((r) => !taken.has(r.id)).map((r) => ({ id: r.id, name: r.name }));
  };

  const catalog = new CatalogViewRepository(db);
  const runsRepo = new SyncRunRepository(db, clock);
  const settingsData = async (id: number, afterRunId?: number): Promise<SettingsData | null> => {
    const integration = await setup.integrations.find(id);
    if (!integration) return null;
    const region = await regions.get(integration.regionId);
    const account = await setup.accounts.get(integration.msAccountId);
    const got = await setup.choices(id);
    const categories = await catalog.categoryChoices(500);
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
  };

  admin.get('/integrations', async (c) => {
    const list = await setup.integrations.list();
    const regionNames = new Map((await regions.list()).map((r) => [r.id, r.name]));
    const accounts = new Map((await setup.accounts.list()).map((a) => [a.id, a]));
    const runs = await runsRepo.latestPerKind(list.map((i) => i.id));
    const errors = await new LogEntryRepository(db).errorCountsSince(new Date(clock.nowMs() - 24 * 3600_000).toISOString());
    const dq = await new DataQualityRepository(db, clock).countsByIntegration();
    const rows: ListRow[] = list.map((integration) => {
      const lastRuns: ListRow['lastRuns'] = runs
        .filter((r) => Number(r.integrationId) === integration.id)
        .map((r) => ({ kind: r.kind, status: r.status, startedAt: r.startedAt, finishedAt: r.finishedAt }))
        .sort((a, b) => kindName(a.kind, 'ru').localeCompare(kindName(b.kind, 'ru')));
      const account = accounts.get(integration.msAccountId);
      return {
        integration,
        region: regionNames.get(integration.regionId) ?? String(integration.regionId),
        login: account?.login ?? account?.label ?? '—',
        lastRuns,
        errors24h: errors.get(integration.id) ?? 0,
        dataQuality: dq.get(integration.id) ?? 0,
      };
    });
    return c.html(<IntegrationList v={c.get('view')} rows={rows} flash={flashFromQuery(c)} />);
  });

  const tz = deps.defaultTimeZone ?? DEFAULT_TIME_ZONE;
  admin.get('/integrations/new', async (c) => c.html(<CreateForm v={c.get('view')} regions={await freeRegions()} flash={flashFromQuery(c)} values={{}} defaultTimeZone={tz} />));

  admin.post('/regions', async (c) => {
    const form = await c.req.parseBody();
    const name = field(form, 'name').trim();
    const code = field(form, 'code').trim().toLowerCase();
    const timeZone = canonicalTimeZone(field(form, 'timeZone') || tz);
    const country = field(form, 'country') || 'RU';
    const v = c.get('view');
    const refuse = async (text: string, status: 409 | 422) => c.html(<CreateForm v={v} regions={await freeRegions()} flash={{ kind: 'error', text }} values={{}} defaultTimeZone={tz} />, status);
    if (!name || !/^[a-z0-9_-]+$/.test(code)) return refuse(v.t('int.regionCode'), 422);
    if (!timeZone || !isRegionCountry(country)) return refuse(v.t('region.badTimeZone'), 422);
    try {
      await createRegion({ db, clock, defaultTimeZone: tz }, { name, code, timeZone, country });
    } catch (e) {
      if (e instanceof ConflictError) return refuse(v.t('int.regionExists'), 409);
      throw e;
    }
    return c.redirect('/admin/integrations/new?done=common.saved', 302);
  });

  admin.post('/integrations', async (c) => {
    const v = c.get('view');
    const form = await c.req.parseBody();
    const credentials = credentialsOf(form);
    const values = { regionId: field(form, 'regionId'), authKind: credentials.authKind, login: credentials.authKind === 'password' ? credentials.login : '' };
    const regionId = Number(values.regionId);
    const fail = async (text: string, status: 409 | 422) =>
      c.html(<CreateForm v={v} regions={await freeRegions()} flash={{ kind: 'error', text: `${text} ${v.t('problem.nothingSaved')}` }} values={values} />, status);
    if (!Number.isInteger(regionId) || !(await regions.find(regionId))) return fail(v.t('common.notFound'), 422);
    let result;
    try {
      result = await setup.createIntegration({ regionId, credentials });
    } catch (e) {
      if (e instanceof SetupError || e instanceof ConflictError) return fail(v.t('problem.integration_exists'), 409);
      throw e;
    }
    if (!result.ok) return fail(problemText(v, result.problem, result.detail), 422);
    return c.redirect(`/admin/integrations/${result.integration.id}?done=int.created`, 302);
  });

  admin.get('/integrations/:id', async (c) => {
    const id = idParam(c);
    const d = id ? await settingsData(id, afterRunFromQuery(c)) : null;
    if (!d) return c.notFound();
    return c.html(<SettingsPage v={c.get('view')} d={d} flash={flashFromQuery(c)} />);
  });

  admin.post('/integrations/:id', async (c) => {
    const v = c.get('view');
    const id = idParam(c);
    const before = id ? await setup.integrations.find(id) : null;
    if (!id || !before) return c.notFound();
    const form = await c.req.parseBody();
    const on = (name: string) => field(form, name) === '1';
    const orNull = (name: string) => field(form, name) || null;
    const siteCategory = field(form, 'siteCategoryId');
    const result = await setup.saveOptions(id, {
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
    });
    if (!result.ok) {
      const d = (await settingsData(id))!;
      return c.html(<SettingsPage v={v} d={d} flash={{ kind: 'error', text: `${problemText(v, result.problem, result.detail)} ${v.t('problem.nothingSaved')}` }} />, 422);
    }
    if (!before.active && result.integration.active) {
      // An integration made active starts at once: its first syncs go to the queue.
      const after = await lastRunId(deps);
      const priceLists = (await new PriceListRepository(db, clock).list()).filter((p) => p.regionId === before.regionId && p.msStoreId).map((p) => Number(p.id));
      await enqueueFirstSyncs(deps, id, priceLists);
      return c.redirect(`/admin/integrations/${id}?done=int.activated&after=${after}`, 302);
    }
    return c.redirect(`/admin/integrations/${id}?done=common.saved`, 302);
  });

  admin.post('/integrations/:id/credentials', async (c) => {
    const v = c.get('view');
    const id = idParam(c);
    if (!id || !(await setup.integrations.find(id))) return c.notFound();
    const credentials = credentialsOf(await c.req.parseBody());
    // An empty password (or token) means "keep the stored one": nothing to check or change.
    if (credentials.authKind === 'password' ? !credentials.password : !credentials.token) {
      return c.redirect(`/admin/integrations/${id}?error=problem.missing_input`, 302);
    }
    const result = await setup.changeCredentials(id, credentials);
    if (!result.ok) {
      const d = (await settingsData(id))!;
      return c.html(<SettingsPage v={v} d={d} flash={{ kind: 'error', text: `${problemText(v, result.problem, result.detail)} ${v.t('problem.nothingSaved')}` }} />, 422);
    }
    return c.redirect(`/admin/integrations/${id}?done=int.credentialsSaved`, 302);
  });

  admin.post('/integrations/:id/sync', async (c) => {
    const id = idParam(c);
    const integration = id ? await setup.integrations.find(id) : null;
    const kind = field(await c.req.parseBody(), 'kind');
    const k = deps.syncs.get(kind);
    if (!integration || !k || k.scope !== 'integration') return c.notFound();
    if (!integration.active) return c.redirect(`/admin/integrations/${integration.id}?error=problem.organization_required`, 302);
    const after = await lastRunId(deps);
    const r = await deps.enqueuer.enqueue({ kind: k.kind, integrationId: integration.id, trigger: 'admin' });
    return c.redirect(`/admin/integrations/${integration.id}?done=${r.merged ? 'common.merged' : 'common.queued'}&kind=${encodeURIComponent(kind)}&after=${after}`, 302);
  });

  // B3: re-register the account's MoySklad webhooks (the `webhooks` job for this integration's account).
  admin.post('/integrations/:id/webhooks', async (c) => {
    const id = idParam(c);
    const integration = id ? await setup.integrations.find(id) : null;
    if (!integration || !deps.syncs.has(WEBHOOKS_KIND)) return c.notFound();
    if (!integration.active) return c.redirect(`/admin/integrations/${integration.id}?error=int.webhooksInactive`, 302);
    const r = await deps.enqueuer.enqueue({ kind: WEBHOOKS_KIND, integrationId: integration.id, trigger: 'admin' });
    return c.redirect(`/admin/integrations/${integration.id}?done=${r.merged ? 'common.merged' : 'common.queued'}&kind=${encodeURIComponent(WEBHOOKS_KIND)}`, 302);
  });

  admin.post('/integrations/:id/deactivate', async (c) => {
    const id = idParam(c);
    if (!id || !(await setup.integrations.find(id))) return c.notFound();
    await setup.deactivate(id);
    return c.redirect(`/admin/integrations/${id}?done=int.deactivated`, 302);
  });

  admin.post('/integrations/:id/delete', async (c) => {
    const id = idParam(c);
    if (!id || !(await setup.integrations.find(id))) return c.notFound();
    await setup.deleteIntegration(id);
    // htmx (after its confirmation dialog) navigates on HX-Redirect; a plain form follows the 302.
    if (c.req.header('hx-request')) return c.body(null, 200, { 'HX-Redirect': '/admin/integrations?done=int.deleted' });
    return c.redirect('/admin/integrations?done=int.deleted', 302);
  });
}
