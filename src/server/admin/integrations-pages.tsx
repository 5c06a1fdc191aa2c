/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
/**
 * @module integrations-pages
 * Интеграции → МойСклад: the list, "Создать" (credentials checked against MoySklad before anything
 * is saved, R10), the settings form with the account's organizations, folders and stores (R9,
 * R18, R21–R23, R29), new credentials, manual sync runs, deactivation and deletion (one
 * integration's routes: `integration-settings-routes.tsx`). The logic lives in
 * `IntegrationSetupService`; these views only call it.
 */
import type { Hono } from 'hono';
import { createRegion } from '../../app/region-service.js';
import { ConflictError } from '../../core/errors.js';
import { DEFAULT_TIME_ZONE, canonicalTimeZone } from '../../core/time-zone.js';
import { isRegionCountry } from '../../domain/phone.js';
import { SetupError } from '../../setup/integration-setup.js';
import { DataQualityRepository } from '../../store/repositories/data-quality-repository.js';
import type { Integration } from '../../store/repositories/integration-repository.js';
import { LogEntryRepository } from '../../store/repositories/log-entry-repository.js';
import { RegionRepository } from '../../store/repositories/region-repository.js';
import { SyncRunRepository } from '../../store/repositories/sync-run-repository.js';
import { RegionFields } from './accounts-pages.js';
import type { AdminContext, AdminEnv, AdminPanelDeps } from './admin-helpers.js';
import { field, flashFromQuery } from './admin-helpers.js';
import { kindName } from './i18n-staff.js';
import { credentialsOf } from './integration-credentials.js';
import { registerIntegrationSettingsRoutes } from './integration-settings-routes.js';
import { StateBadge, problemText } from './integration-settings-view.js';

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

/** Regions without an integration (what «Создать» offers). */
async function freeRegions(deps: AdminPanelDeps): Promise<Array<{ id: number; name: string }>> {
  const taken = new Set((await deps.setup.integrations.list()).map((i) => i.regionId));
  return (await new RegionRepository(deps.db, deps.clock).list()).filter((r) => !taken.has(r.id)).map((r) => ({ id: r.id, name: r.name }));
}

async function integrationList(c: AdminContext, deps: AdminPanelDeps): Promise<Response> {
  const { db, clock, setup } = deps;
  const list = await setup.integrations.list();
  const regionNames = new Map((await new RegionRepository(db, clock).list()).map((r) => [r.id, r.name]));
  const accounts = new Map((await setup.accounts.list()).map((a) => [a.id, a]));
  const runs = await new SyncRunRepository(db, clock).latestPerKind(list.map((i) => i.id));
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
}

const timeZoneOf = (deps: AdminPanelDeps): string => deps.defaultTimeZone ?? DEFAULT_TIME_ZONE;

async function createPage(c: AdminContext, deps: AdminPanelDeps): Promise<Response> {
  return c.html(<CreateForm v={c.get('view')} regions={await freeRegions(deps)} flash={flashFromQuery(c)} values={{}} defaultTimeZone={timeZoneOf(deps)} />);
}

/** A new region from the create page (C14: its time zone and country). */
async function addRegion(c: AdminContext, deps: AdminPanelDeps): Promise<Response> {
  const tz = timeZoneOf(deps);
  const form = await c.req.parseBody();
  const name = field(form, 'name').trim();
  const code = field(form, 'code').trim().toLowerCase();
  const timeZone = canonicalTimeZone(field(form, 'timeZone') || tz);
  const country = field(form, 'country') || 'RU';
  const v = c.get('view');
  const refuse = async (text: string, status: 409 | 422) => c.html(<CreateForm v={v} regions={await freeRegions(deps)} flash={{ kind: 'error', text }} values={{}} defaultTimeZone={tz} />, status);
  if (!name || !/^[a-z0-9_-]+$/.test(code)) return refuse(v.t('int.regionCode'), 422);
  if (!timeZone || !isRegionCountry(country)) return refuse(v.t('region.badTimeZone'), 422);
  try {
    await createRegion({ db: deps.db, clock: deps.clock, defaultTimeZone: tz }, { name, code, timeZone, country });
  } catch (e) {
    if (e instanceof ConflictError) return refuse(v.t('int.regionExists'), 409);
    throw e;
  }
  return c.redirect('/admin/integrations/new?done=common.saved', 302);
}

/** «Создать» (R10): the credentials are checked against MoySklad before anything is saved. */
async function createIntegration(c: AdminContext, deps: AdminPanelDeps): Promise<Response> {
  const v = c.get('view');
  const form = await c.req.parseBody();
  const credentials = credentialsOf(form);
  const values = { regionId: field(form, 'regionId'), authKind: credentials.authKind, login: credentials.authKind === 'password' ? credentials.login : '' };
  const regionId = Number(values.regionId);
  const fail = async (text: string, status: 409 | 422) =>
    c.html(<CreateForm v={v} regions={await freeRegions(deps)} flash={{ kind: 'error', text: `${text} ${v.t('problem.nothingSaved')}` }} values={values} />, status);
  if (!Number.isInteger(regionId) || !(await new RegionRepository(deps.db, deps.clock).find(regionId))) return fail(v.t('common.notFound'), 422);
  let result;
  try {
    result = await deps.setup.createIntegration({ regionId, credentials });
  } catch (e) {
    if (e instanceof SetupError || e instanceof ConflictError) return fail(v.t('problem.integration_exists'), 409);
    throw e;
  }
  if (!result.ok) return fail(problemText(v, result.problem, result.detail), 422);
  return c.redirect(`/admin/integrations/${result.integration.id}?done=int.created`, 302);
}

/** The list and «Создать» first (`/integrations/new` before `/integrations/:id`), then one integration's routes. */
export function registerIntegrationRoutes(admin: Hono<AdminEnv>, deps: AdminPanelDeps): void {
  admin.get('/integrations', (c) => integrationList(c, deps));
  admin.get('/integrations/new', (c) => createPage(c, deps));
  admin.post('/regions', (c) => addRegion(c, deps));
  admin.post('/integrations', (c) => createIntegration(c, deps));
  registerIntegrationSettingsRoutes(admin, deps);
}
