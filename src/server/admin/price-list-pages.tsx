/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
/**
 * @module price-list-pages
 * Прайс-листы: list, create, the card (store from the region's integration R11, frequency only
 * once bound and saved R12, stock type and price type with explanations), "Синхронизировать
 * сейчас" (R13), the price list's log of runs and entries (R14), and its rows with search.
 */
import type { Hono } from 'hono';
import { ValidationError } from '../../core/errors.js';
import { formatMoney } from "./format.js";
import { PriceListFeedService } from '../../app/price-list-feeds.js';
import { PriceListRepository } from '../../store/repositories/price-list-repository.js';
import type { FeedInfo } from '../../store/repositories/price-list-feed-repository.js';
import { CatalogViewRepository } from '../../store/repositories/catalog-view-repository.js';
import { LogEntryRepository } from '../../store/repositories/log-entry-repository.js';
import { SyncRunRepository } from '../../store/repositories/sync-run-repository.js';
import { RegionRepository } from '../../store/repositories/region-repository.js';
import type { PriceListRow, StockType } from '../../store/schema.js';
import { parseSalePrices } from '../../sync/stock/product-prices.js';
import { STOCK_FULL_KIND } from '../../sync/stock/stock-sync.js';
import type { AdminContext, AdminEnv, AdminPanelDeps } from './admin-helpers.js';
import { afterRunFromQuery, field, flashFromQuery, idParam, pageParam } from './admin-helpers.js';
import { formatInterval } from './format.js';
import { staffLogText, kindName, levelText, stockTypeText, triggerText } from './i18n-staff.js';
import { LiveRuns, lastRunId, liveData, type LiveData } from './progress-block.js';
import { RunFigureCells, RunFigureHeads, SearchForm } from './components.js';
import { FeedSection } from './feed-pages.js';
import type { MessageKey } from './i18n.js';
import { problemText } from './integrations-pages.js';
import { Csrf, Page, Pager, formatTime, type Flash, type ViewContext } from './layout.js';

const STOCK_TYPES: readonly StockType[] = ['quantity', 'freeStock', 'stock'];
const INTERVALS = [5, 15, 30, 60, 180, 720, 1440];
const ROWS_PAGE = 50;

interface CardData {
  pl: PriceListRow;
  region: string;
  stores: Array<{ id: string; name: string }>;
  storesProblem: string | null;
  priceTypes: Array<{ id: string; name: string }>;
  runs: Array<{ id: number; kind: string; trigger: string; status: string; startedAt: string; durationMs: number | null; counts: Record<string, number>; requests: number; errors: number; message: string | null }>;
  entries: Array<{ at: string; level: string; message: string; details?: unknown }>;
  rows: Array<{ brand: string; article: string; name: string; quantity: number; price: number | null }>;
  rowsTotal: number;
  q: string;
  page: number;
  /** E5: the list's secret feed URL, if it has one (never the token). */
  feed: FeedInfo | null;
  live: LiveData;
  afterRunId: number | undefined;
}

function PriceListCard({ v, d, flash }: { v: ViewContext; d: CardData; flash: Flash | null }) {
  const pl = d.pl;
  const storeName = d.stores.find((s) => s.id === pl.msStoreId)?.name ?? pl.msStoreId;
  return (
    <Page v={v} title={`${v.t('pl.title')}: ${pl.name}`} flash={flash}>
      {d.storesProblem ? (
        <div class="msg error" role="alert">
          {v.t('pl.storesFailed', { problem: d.storesProblem })}
        </div>
      ) : null}
      <form method="post" action={`/admin/price-lists/${pl.id}`} class="card" id="price-list-form">
        <Csrf v={v} />
        <p>
          {v.t('common.region')}: <b>{d.region}</b>
        </p>
        <label for="name">{v.t('common.name')}</label>
        <input type="text" id="name" name="name" value={pl.name} required />
        <label for="msStoreId">{v.t('pl.store')}</label>
        <select id="msStoreId" name="msStoreId">
          <option value="">{v.t('int.noStore')}</option>
          {pl.msStoreId && !d.stores.some((s) => s.id === pl.msStoreId) ? (
            <option value={pl.msStoreId} selected>
              {pl.msStoreId}
            </option>
          ) : null}
          {d.stores.map((s) => (
            <option value={s.id} selected={s.id === pl.msStoreId}>
              {s.name}
            </option>
          ))}
        </select>
        <label for="syncIntervalMinutes">{v.t('pl.interval')}</label>
        {pl.msStoreId ? (
          <select id="syncIntervalMinutes" name="syncIntervalMinutes">
            <option value="">{v.t('pl.intervalOff')}</option>
            {[...new Set([...INTERVALS, ...(pl.syncIntervalMinutes ? [pl.syncIntervalMinutes] : [])])]
              .sort((a, b) => a - b)
              .map((n) => (
                <option value={String(n)} selected={n === pl.syncIntervalMinutes}>
                  {formatInterval(n, v.lang)}
                </option>
              ))}
          </select>
        ) : (
          <p class="hint" id="interval-needs-store">
            {v.t('pl.intervalNeedsStore')}
          </p>
        )}
        <label>{v.t('pl.stockType')}</label>
        {STOCK_TYPES.map((st) => (
          <label class="check">
            <input type="radio" name="stockType" value={st} checked={pl.stockType === st} /> <b>{stockTypeText(st, v.lang)}</b> — {v.t(`pl.stockType.${st}` as MessageKey)}
          </label>
        ))}
        <label for="priceTypeMsId">{v.t('pl.priceType')}</label>
        <select id="priceTypeMsId" name="priceTypeMsId">
          <option value="">{v.t('pl.priceTypeDefault')}</option>
          {pl.priceTypeMsId && !d.priceTypes.some((p) => p.id === pl.priceTypeMsId) ? (
            <option value={pl.priceTypeMsId} selected>
              {pl.priceTypeMsId}
            </option>
          ) : null}
          {d.priceTypes.map((p) => (
            <option value={p.id} selected={p.id === pl.priceTypeMsId}>
              {p.name}
            </option>
          ))}
        </select>
        <p class="hint">{v.t('pl.priceTypeHint')}</p>
        <label class="check">
          <input type="checkbox" id="publishWithoutPrice" name="publishWithoutPrice" value="1" checked={pl.publishWithoutPrice === 1} /> {v.t('pl.publishWithoutPrice')}
        </label>
        <p class="hint">{v.t('pl.publishWithoutPriceHint')}</p>
        <label for="deliveryDays">{v.t('pl.deliveryDays')}</label>
        <input type="number" id="deliveryDays" name="deliveryDays" min="0" max="365" value={String(pl.deliveryDays ?? 0)} />
        <div>
          <button type="submit">{v.t('common.save')}</button>
        </div>
      </form>

      <form method="post" action={`/admin/price-lists/${pl.id}/sync`}>
        <Csrf v={v} />
        <button type="submit" id="sync-now" disabled={!pl.msStoreId}>
          {v.t('pl.syncNow')}
        </button>
        {storeName ? <span class="hint"> {storeName}</span> : <span class="hint"> {v.t('pl.unbound')}</span>}
      </form>
      <LiveRuns v={v} scope={{ priceListId: Number(pl.id), ...(d.afterRunId !== undefined ? { afterRunId: d.afterRunId, waiting: true } : {}) }} data={d.live} />

      <h2>{v.t('pl.log')}</h2>
      {d.runs.length === 0 ? (
        <p class="muted">{v.t('pl.noRuns')}</p>
      ) : (
        <table id="price-list-runs">
          <thead>
            <tr>
              <th>{v.t('common.time')}</th>
              <th>{v.t('common.kind')}</th>
              <RunFigureHeads v={v} />
            </tr>
          </thead>
          <tbody>
            {d.runs.map((r) => (
              <tr>
                <td>{formatTime(r.startedAt, v.lang)}</td>
                <td>
                  {kindName(r.kind, v.lang)} <span class="muted">({triggerText(r.trigger, v.lang)})</span>
                </td>
                <RunFigureCells v={v} run={r} counts={r.counts} />
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {d.entries.length > 0 ? (
        <table id="price-list-log" style="margin-top:10px">
          <tbody>
            {d.entries.map((e) => (
              <tr>
                <td style="width:160px">{formatTime(e.at, v.lang)}</td>
                <td style="width:60px">
                  <span class={`badge ${e.level === 'error' ? 'error' : e.level === 'warn' ? 'warn' : ''}`}>{levelText(e.level, v.lang)}</span>
                </td>
                <td>{staffLogText(e.message, e.details, v.lang)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}

      <FeedSection v={v} priceListId={Number(pl.id)} feed={d.feed} />

      <h2>{v.t('pl.rowsTitle')}</h2>
      <SearchForm v={v} action={`/admin/price-lists/${pl.id}`} q={d.q} placeholder={v.t('pl.searchPlaceholder')} target="rows-block" />
      <div id="rows-block">
      {d.rows.length === 0 ? (
        <p class="muted">{v.t('pl.noRows')}</p>
      ) : (
        <>
          <table id="price-list-rows">
            <thead>
              <tr>
                <th>{v.t('pl.brand')}</th>
                <th>{v.t('pl.article')}</th>
                <th>{v.t('prod.name')}</th>
                <th class="num">{v.t('pl.quantity')}</th>
                <th class="num">{v.t('pl.price')}</th>
              </tr>
            </thead>
            <tbody>
              {d.rows.map((r) => (
                <tr>
                  <td translate="no">{r.brand}</td>
                  <td translate="no">{r.article}</td>
                  <td translate="no">{r.name}</td>
                  <td class="num">{r.quantity}</td>
                  <td class="num">{r.price === null ? '' : formatMoney(r.price, v.lang)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      <Pager v={v} base={`/admin/price-lists/${pl.id}`} params={d.q ? { q: d.q } : {}} page={d.page} pageSize={ROWS_PAGE} total={d.rowsTotal} />
      </div>
    </Page>
  );
}

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

export function registerPriceListRoutes(admin: Hono<AdminEnv>, deps: AdminPanelDeps): void {
  const { db, clock, setup } = deps;
  const priceLists = new PriceListRepository(db, clock);
  const regions = new RegionRepository(db, clock);

  const catalog = new CatalogViewRepository(db);
  const cardData = async (id: number, q: string, page: number, afterRunId?: number): Promise<CardData | null> => {
    const pl = await priceLists.find(id);
    if (!pl) return null;
    const region = await regions.get(pl.regionId);
    const storesResult = await setup.storesForRegion(pl.regionId);
    const integration = await setup.integrations.findByRegion(pl.regionId);
    const priceTypes = new Map<string, string>();
    if (integration) {
      for (const text of await catalog.salePriceSamples(integration.msAccountId, 200)) for (const p of parseSalePrices(text) ?? []) if (!priceTypes.has(p.priceTypeId)) priceTypes.set(p.priceTypeId, p.name ?? p.priceTypeId);
    }
    const runs = await new SyncRunRepository(db, clock).list({ priceListId: id, limit: 30 });
    const entries = await new LogEntryRepository(db).list({ priceListId: id, limit: 30 });
    const term = q.trim();
    const { total, rows } = await catalog.priceListRowsPage(id, pl.generation, term, page, ROWS_PAGE);
    return {
      pl,
      region: region.name,
      stores: storesResult.ok ? storesResult.stores : [],
      storesProblem: storesResult.ok ? null : storesResult.problem,
      priceTypes: [...priceTypes].map(([pid, name]) => ({ id: pid, name })),
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
  };

  const render = async (c: AdminContext, id: number, flash: Flash | null, status: 200 | 422 = 200) => {
    const v = c.get('view');
    const page = pageParam(c);
    const d = await cardData(id, c.req.query('q') ?? '', page, afterRunFromQuery(c));
    if (!d) return c.notFound();
    if (d.storesProblem) d.storesProblem = problemText(v, d.storesProblem);
    return c.html(<PriceListCard v={v} d={d} flash={flash} />, status);
  };

  admin.get('/price-lists', async (c) => {
    const regionList = await regions.list();
    const names = new Map(regionList.map((r) => [r.id, r.name]));
    const stores = new Map<number, Map<string, string>>();
    for (const r of regionList) {
      const got = await setup.storesForRegion(r.id).catch(() => null);
      if (got?.ok) stores.set(r.id, new Map(got.stores.map((st) => [st.id, st.name])));
    }
    const rows = (await priceLists.list()).map((p) => ({ ...p, region: names.get(p.regionId) ?? '—', storeName: p.msStoreId ? (stores.get(p.regionId)?.get(p.msStoreId) ?? null) : null }));
    return c.html(<PriceListIndex v={c.get('view')} rows={rows} regions={regionList.map((r) => ({ id: r.id, name: r.name }))} flash={flashFromQuery(c)} />);
  });

  admin.post('/price-lists', async (c) => {
    const form = await c.req.parseBody();
    const regionId = Number(field(form, 'regionId'));
    const name = field(form, 'name').trim();
    if (!(await regions.find(regionId))) return c.redirect('/admin/price-lists?error=pl.regionMissing', 302);
    if (!name) return c.redirect('/admin/price-lists?error=pl.nameRequired', 302);
    const pl = await priceLists.create({ regionId, name, deliveryDays: 0 });
    return c.redirect(`/admin/price-lists/${pl.id}?done=common.saved`, 302);
  });

  admin.get('/price-lists/:id', async (c) => {
    const id = idParam(c);
    if (!id) return c.notFound();
    return render(c, id, flashFromQuery(c));
  });

  admin.post('/price-lists/:id', async (c) => {
    const v = c.get('view');
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
    if (msStoreId) {
      const stores = await setup.storesForRegion(current.regionId);
      if (stores.ok && !stores.stores.some((s) => s.id === msStoreId)) {
        return render(c, id, { kind: 'error', text: `${v.t('problem.store_unknown')} ${v.t('problem.nothingSaved')}` }, 422);
      }
      if (!stores.ok && msStoreId !== current.msStoreId) {
        return render(c, id, { kind: 'error', text: `${problemText(v, stores.problem, stores.detail)} ${v.t('problem.nothingSaved')}` }, 422);
      }
    }
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
      if (e instanceof ValidationError) return render(c, id, { kind: 'error', text: v.t('pl.intervalRequiresStore') }, 422);
      throw e;
    }
    const blocked = intervalText && !(current.msStoreId && msStoreId === current.msStoreId);
    return c.redirect(`/admin/price-lists/${id}?done=${blocked ? 'pl.intervalNeedsStore' : 'common.saved'}`, 302);
  });

  admin.post('/price-lists/:id/sync', async (c) => {
    const id = idParam(c);
    const pl = id ? await priceLists.find(id) : null;
    if (!pl) return c.notFound();
    if (!pl.msStoreId) return c.redirect(`/admin/price-lists/${pl.id}?error=pl.unbound`, 302);
    const integration = await setup.integrations.findByRegion(pl.regionId);
    const after = await lastRunId(deps);
    const r = await deps.enqueuer.enqueue({ kind: STOCK_FULL_KIND, priceListId: pl.id, ...(integration ? { integrationId: integration.id } : {}), trigger: 'admin' });
    return c.redirect(`/admin/price-lists/${pl.id}?done=${r.merged ? 'common.merged' : 'common.queued'}&kind=${STOCK_FULL_KIND}&after=${after}`, 302);
  });
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
