/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
/**
 * @module price-list-pages
 * Прайс-листы: list, create, the card (its view: `price-list-card-view.tsx`; store from the
 * region's integration R11, frequency only once bound and saved R12, stock type and price type),
 * "Синхронизировать сейчас" (R13), the price list's log of runs and entries (R14), and its rows
 * with search.
 */
import type { Hono } from 'hono';
import { PriceListFeedService } from '../../app/price-list-feeds.js';
import { ValidationError } from '../../core/errors.js';
import { CatalogViewRepository } from '../../store/repositories/catalog-view-repository.js';
import { LogEntryRepository } from '../../store/repositories/log-entry-repository.js';
import { PriceListRepository } from '../../store/repositories/price-list-repository.js';
import { RegionRepository } from '../../store/repositories/region-repository.js';
import { SyncRunRepository } from '../../store/repositories/sync-run-repository.js';
import type { PriceListRow, StockType } from '../../store/schema.js';
import { parseSalePrices } from '../../sync/stock/product-prices.js';
import { STOCK_FULL_KIND } from '../../sync/stock/stock-sync.js';
import type { AdminContext, AdminEnv, AdminPanelDeps } from './admin-helpers.js';
import { afterRunFromQuery, field, flashFromQuery, idParam, pageParam } from './admin-helpers.js';
import { formatInterval } from './format.js';
import { problemText } from './integration-settings-view.js';
import { Csrf, Page, formatTime, type Flash, type ViewContext } from './layout.js';
import { PriceListCard, ROWS_PAGE, STOCK_TYPES, type CardData } from './price-list-card-view.js';
import { lastRunId, liveData } from './progress-block.js';

function PriceListIndex({
  v,
  rows,
  regions,
  flash,
}: {
  v: ViewContext;
  rows: Array<PriceListRow & { region: string; storeName: string | null }>;
  regions: Array<{ id: number; name: string }>;
  flash: Flash | null;
}) {
  return (
    <Page v={v} title={v.t('pl.title')} flash={flash}>
      {rows.length === 0 ? (
        <p class="card">{v.t('pl.empty')}</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th>{v.t('common.name')}</th>
              <th>{v.t('common.region')}</th>
              <th>{v.t('pl.store')}</th>
              <th>{v.t('pl.interval')}</th>
              <th>{v.t('pl.lastSync')}</th>
              <th class="num">{v.t('pl.rows')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((p) => (
              <tr>
                <td>
                  <a href={`/admin/price-lists/${p.id}`}>{p.name}</a>
                </td>
                <td>{p.region}</td>
                <td>{p.msStoreId ? (p.storeName ?? v.t('pl.storeUnknown')) : <span class="muted">{v.t('int.noStore')}</span>}</td>
                <td>{p.syncIntervalMinutes ? formatInterval(p.syncIntervalMinutes, v.lang) : v.t('pl.intervalOff')}</td>
                <td>{formatTime(p.lastSyncAt, v.lang)}</td>
                <td class="num">{p.rowCount}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h2>{v.t('pl.new')}</h2>
      <form method="post" action="/admin/price-lists" class="card inline" id="create-price-list">
        <Csrf v={v} />
        <div>
          <label for="pl-region">{v.t('common.region')}</label>
          <select id="pl-region" name="regionId" required>
            {regions.map((r) => (
              <option value={String(r.id)}>{r.name}</option>
            ))}
          </select>
        </div>
        <div>
          <label for="pl-name">{v.t('common.name')}</label>
          <input type="text" id="pl-name" name="name" required maxlength={200} />
        </div>
        <button type="submit">{v.t('common.create')}</button>
      </form>
    </Page>
  );
}

/** The price types seen in the integration's products' sale prices (id → name), for the card's choice. */
async function priceTypesOf(deps: AdminPanelDeps, regionId: number): Promise<Array<{ id: string; name: string }>> {
  const integration = await deps.setup.integrations.findByRegion(regionId);
  const priceTypes = new Map<string, string>();
  if (integration) {
    for (const text of await new CatalogViewRepository(deps.db).salePriceSamples(integration.msAccountId, 200)) for (const p of parseSalePrices(text) ?? []) if (!priceTypes.has(p.priceTypeId)) priceTypes.set(p.priceTypeId, p.name ?? p.priceTypeId);
  }
  return [...priceTypes].map(([pid, name]) => ({ id: pid, name }));
}

/** Everything the card shows of one price list, or null when there is none. */
async function cardData(deps: AdminPanelDeps, id: number, q: string, page: number, afterRunId?: number): Promise<CardData | null> {
  const { db, clock, setup } = deps;
  const pl = await new PriceListRepository(db, clock).find(id);
  if (!pl) return null;
  const region = await new RegionRepository(db, clock).get(pl.regionId);
  const storesResult = await setup.storesForRegion(pl.regionId);
  const priceTypes = await priceTypesOf(deps, pl.regionId);
  const runs = await new SyncRunRepository(db, clock).list({ priceListId: id, limit: 30 });
  const entries = await new LogEntryRepository(db).list({ priceListId: id, limit: 30 });
  const term = q.trim();
  const { total, rows } = await new CatalogViewRepository(db).priceListRowsPage(id, pl.generation, term, page, ROWS_PAGE);
  return {
    pl,
    region: region.name,
    stores: storesResult.ok ? storesResult.stores : [],
    storesProblem: storesResult.ok ? null : storesResult.problem,
    priceTypes,
    runs: runs.map((r) => ({
      id: Number(r.id),
      kind: r.kind,
      trigger: r.trigger,
      status: r.status,
      startedAt: r.startedAt,
      durationMs: r.durationMs,
      counts: r.counts,
      requests: r.requests,
      errors: r.errors,
      message: r.message,
    })),
    entries,
    rows,
    rowsTotal: total,
    q: term,
    page,
    feed: await new PriceListFeedService({ db, clock }).info(id),
    live: await liveData(deps, { priceListId: id, ...(afterRunId !== undefined ? { afterRunId } : {}) }),
    afterRunId,
  };
}

/** The card of a price list (404 when there is none), with a message and status. */
async function renderCard(c: AdminContext, deps: AdminPanelDeps, id: number, flash: Flash | null, status: 200 | 422 = 200): Promise<Response> {
  const v = c.get('view');
  const page = pageParam(c);
  const d = await cardData(deps, id, c.req.query('q') ?? '', page, afterRunFromQuery(c));
  if (!d) return c.notFound();
  if (d.storesProblem) d.storesProblem = problemText(v, d.storesProblem);
  return c.html(<PriceListCard v={v} d={d} flash={flash} />, status);
}

async function priceListIndex(c: AdminContext, deps: AdminPanelDeps): Promise<Response> {
  const regionList = await new RegionRepository(deps.db, deps.clock).list();
  const names = new Map(regionList.map((r) => [r.id, r.name]));
  const stores = new Map<number, Map<string, string>>();
  for (const r of regionList) {
    const got = await deps.setup.storesForRegion(r.id).catch(() => null);
    if (got?.ok) stores.set(r.id, new Map(got.stores.map((st) => [st.id, st.name])));
  }
  const rows = (await new PriceListRepository(deps.db, deps.clock).list()).map((p) => ({ ...p, region: names.get(p.regionId) ?? '—', storeName: p.msStoreId ? (stores.get(p.regionId)?.get(p.msStoreId) ?? null) : null }));
  return c.html(<PriceListIndex v={c.get('view')} rows={rows} regions={regionList.map((r) => ({ id: r.id, name: r.name }))} flash={flashFromQuery(c)} />);
}

async function createPriceList(c: AdminContext, deps: AdminPanelDeps): Promise<Response> {
  const form = await c.req.parseBody();
  const regionId = Number(field(form, 'regionId'));
  const name = field(form, 'name').trim();
  if (!(await new RegionRepository(deps.db, deps.clock).find(regionId))) return c.redirect('/admin/price-lists?error=pl.regionMissing', 302);
  if (!name) return c.redirect('/admin/price-lists?error=pl.nameRequired', 302);
  const pl = await new PriceListRepository(deps.db, deps.clock).create({ regionId, name, deliveryDays: 0 });
  return c.redirect(`/admin/price-lists/${pl.id}?done=common.saved`, 302);
}

async function cardPage(c: AdminContext, deps: AdminPanelDeps): Promise<Response> {
  const id = idParam(c);
  if (!id) return c.notFound();
  return renderCard(c, deps, id, flashFromQuery(c));
}

/** A store chosen on the card must be one of the region's stores; the refusal text, or null when it may be saved. */
async function storeRefusal(v: ViewContext, deps: AdminPanelDeps, current: PriceListRow, msStoreId: string | null): Promise<string | null> {
  if (!msStoreId) return null;
  const stores = await deps.setup.storesForRegion(current.regionId);
  if (stores.ok && !stores.stores.some((s) => s.id === msStoreId)) return `${v.t('problem.store_unknown')} ${v.t('problem.nothingSaved')}`;
  if (!stores.ok && msStoreId !== current.msStoreId) return `${problemText(v, stores.problem, stores.detail)} ${v.t('problem.nothingSaved')}`;
  return null;
}

async function saveCard(c: AdminContext, deps: AdminPanelDeps): Promise<Response> {
  const v = c.get('view');
  const priceLists = new PriceListRepository(deps.db, deps.clock);
  const id = idParam(c);
  const current = id ? await priceLists.find(id) : null;
  if (!id || !current) return c.notFound();
  const form = await c.req.parseBody();
  const msStoreId = field(form, 'msStoreId') || null;
  const stockType = field(form, 'stockType') as StockType;
  const intervalText = field(form, 'syncIntervalMinutes');
  // R12: the frequency is offered only once a store is bound AND saved; a store chosen in this
  // same save does not unlock it yet.
  const interval = intervalText && current.msStoreId && msStoreId === current.msStoreId ? Number(intervalText) : intervalText ? undefined : null;
  const refusal = await storeRefusal(v, deps, current, msStoreId);
  if (refusal) return renderCard(c, deps, id, { kind: 'error', text: refusal }, 422);
  try {
    await priceLists.update(id, {
      name: field(form, 'name').trim() || current.name,
      msStoreId,
      ...(STOCK_TYPES.includes(stockType) ? { stockType } : {}),
      priceTypeMsId: field(form, 'priceTypeMsId') || null,
      deliveryDays: Math.max(0, Math.min(365, Number(field(form, 'deliveryDays')) || 0)),
      publishWithoutPrice: field(form, 'publishWithoutPrice') === '1',
      ...(interval !== undefined ? { syncIntervalMinutes: interval === null || !msStoreId ? null : interval } : {}),
    });
  } catch (e) {
    if (e instanceof ValidationError) return renderCard(c, deps, id, { kind: 'error', text: v.t('pl.intervalRequiresStore') }, 422);
    throw e;
  }
  const blocked = intervalText && !(current.msStoreId && msStoreId === current.msStoreId);
  return c.redirect(`/admin/price-lists/${id}?done=${blocked ? 'pl.intervalNeedsStore' : 'common.saved'}`, 302);
}

/** R13 «Синхронизировать сейчас»: a full stock sync of this list. */
async function syncNow(c: AdminContext, deps: AdminPanelDeps): Promise<Response> {
  const id = idParam(c);
  const pl = id ? await new PriceListRepository(deps.db, deps.clock).find(id) : null;
  if (!pl) return c.notFound();
  if (!pl.msStoreId) return c.redirect(`/admin/price-lists/${pl.id}?error=pl.unbound`, 302);
  const integration = await deps.setup.integrations.findByRegion(pl.regionId);
  const after = await lastRunId(deps);
  const r = await deps.enqueuer.enqueue({ kind: STOCK_FULL_KIND, priceListId: pl.id, ...(integration ? { integrationId: integration.id } : {}), trigger: 'admin' });
  return c.redirect(`/admin/price-lists/${pl.id}?done=${r.merged ? 'common.merged' : 'common.queued'}&kind=${STOCK_FULL_KIND}&after=${after}`, 302);
}

export function registerPriceListRoutes(admin: Hono<AdminEnv>, deps: AdminPanelDeps): void {
  admin.get('/price-lists', (c) => priceListIndex(c, deps));
  admin.post('/price-lists', (c) => createPriceList(c, deps));
  admin.get('/price-lists/:id', (c) => cardPage(c, deps));
  admin.post('/price-lists/:id', (c) => saveCard(c, deps));
  admin.post('/price-lists/:id/sync', (c) => syncNow(c, deps));
}

/** `sync_runs.counts` JSON → object (empty when unreadable). */
export function safeCounts(text: string): Record<string, number> {
  try {
    const o = JSON.parse(text) as unknown;
    if (o && typeof o === 'object') return Object.fromEntries(Object.entries(o).filter(([, n]) => typeof n === 'number')) as Record<string, number>;
  } catch {
    /* unreadable counters show as none */
  }
  return {};
}
