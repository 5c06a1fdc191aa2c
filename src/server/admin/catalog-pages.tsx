/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
/**
 * @module catalog-pages
 * Номенклатура: products with search and paging, "Полная пересинхронизация" (R17) with its live
 * progress, and the data-quality report (B5) with links to the cards in MoySklad (E4).
 */
import type { Hono } from 'hono';
import { moyskladCardUrl } from '../../domain/moysklad-links.js';
import { dataQualityReasonText } from '../../sync/nomenclature/data-quality-texts.js';
import { CatalogScopeRepository } from '../../store/repositories/catalog-scope-repository.js';
import { CatalogViewRepository } from '../../store/repositories/catalog-view-repository.js';
import { NOMENCLATURE_FULL } from '../../sync/nomenclature/nomenclature-sync.js';
import type { AdminContext, AdminEnv, AdminPanelDeps } from './admin-helpers.js';
import { afterRunFromQuery, flashFromQuery, pageParam } from './admin-helpers.js';
import { SearchForm } from './components.js';
import { Csrf, Page, Pager, formatTime, type ViewContext } from './layout.js';
import { LiveRuns, lastRunId, liveData } from './progress-block.js';

const PRODUCTS_PAGE = 50;

function dqReason(v: ViewContext, reason: string): string {
  return dataQualityReasonText(reason, v.lang);
}

type ProductItem = Awaited<ReturnType<CatalogViewRepository['productsPage']>>['items'][number];
type DataQualityIssue = Awaited<ReturnType<CatalogViewRepository['dataQualityIssues']>>[number];
type PriceListIssue = Awaited<ReturnType<CatalogViewRepository['priceListIssues']>>[number];

/** What the products table shows beside each product: its thumbnail and its category's name. */
interface ProductExtras {
  thumbOf: Map<number, string>;
  categoryName(productId: number): string | undefined;
}

async function productExtras(deps: AdminPanelDeps, catalog: CatalogViewRepository, products: ProductItem[]): Promise<ProductExtras> {
  // C8: a product's category depends on the integration; the panel shows it in the first one that shows it.
  const categoryOf = await new CatalogScopeRepository(deps.db, deps.clock).categoriesOfProducts(products.map((p) => ({ id: p.id, msAccountId: p.msAccountId, msFolderId: p.msFolderId })));
  const categoryNames = await catalog.categoryNames([...new Set([...categoryOf.values()].filter((c): c is number => c !== null))]);
  const thumbOf = await catalog.thumbnails(products.map((p) => p.id));
  return { thumbOf, categoryName: (id) => categoryNames.get(categoryOf.get(id) ?? -1) };
}

function ResyncForm({ v, canRun }: { v: ViewContext; canRun: boolean }) {
  return (
    <form method="post" action="/admin/products/resync" class="card inline">
      <Csrf v={v} />
      <button type="submit" id="full-resync" disabled={!canRun}>
        {v.t('prod.resync')}
      </button>
      <span class="hint">{canRun ? v.t('prod.resyncHint') : v.t('prod.noIntegration')}</span>
    </form>
  );
}

function ProductsTable({ v, products, extras }: { v: ViewContext; products: ProductItem[]; extras: ProductExtras }) {
  if (products.length === 0) return <p class="muted">{v.t('prod.empty')}</p>;
  return (
    <table id="products">
      <thead>
        <tr>
          <th>{v.t('prod.photo')}</th>
          <th>{v.t('pl.brand')}</th>
          <th>{v.t('pl.article')}</th>
          <th>{v.t('prod.name')}</th>
          <th>{v.t('prod.category')}</th>
        </tr>
      </thead>
      <tbody>
        {products.map((p) => {
          const hash = extras.thumbOf.get(p.id);
          return (
            <tr>
              <td>{hash ? <img class="thumb" src={`/media/${hash}/thumb`} alt="" loading="lazy" /> : <span class="muted">—</span>}</td>
              <td translate="no">{p.brand}</td>
              <td translate="no">{p.article}</td>
              <td>
                <span translate="no">{p.name}</span>
                {p.archived ? <span class="badge"> {v.t('prod.archived')}</span> : null}
              </td>
              <td>{extras.categoryName(p.id) ?? '—'}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

/** B5: the cards that could not be synced, each with a link to it in MoySklad (E4). */
function DataQualityReport({ v, issues }: { v: ViewContext; issues: DataQualityIssue[] }) {
  if (issues.length === 0) return <p class="muted">{v.t('prod.dqEmpty')}</p>;
  return (
    <table id="data-quality-report">
      <thead>
        <tr>
          <th>{v.t('prod.code')}</th>
          <th>{v.t('pl.article')}</th>
          <th>{v.t('prod.name')}</th>
          <th>{v.t('prod.reason')}</th>
          <th>{v.t('prod.detected')}</th>
        </tr>
      </thead>
      <tbody>
        {issues.map((i) => (
          <tr>
            <td translate="no">{i.code ?? '—'}</td>
            <td translate="no">{i.article ?? '—'}</td>
            <td>
              <span translate="no">{i.name ?? '—'}</span>{' '}
              <a class="hint" href={moyskladCardUrl(i.msProductId, i.msType === 'variant' ? 'variant' : 'product')} target="_blank" rel="noopener noreferrer">
                {v.t('prod.openInMs')}
              </a>
            </td>
            <td>
              <b>{dqReason(v, i.reason)}</b>
            </td>
            <td>{formatTime(i.detectedAt, v.lang)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Price-list rows that could not be imported (none: nothing shown). */
function PriceListIssues({ v, issues }: { v: ViewContext; issues: PriceListIssue[] }) {
  if (issues.length === 0) return null;
  return (
    <>
      <h3 id="price-list-issues">{v.t('prod.plIssues')}</h3>
      <table id="price-list-issues-report">
        <thead>
          <tr>
            <th>{v.t('pl.title')}</th>
            <th>{v.t('pl.brand')}</th>
            <th>{v.t('pl.article')}</th>
            <th>{v.t('prod.name')}</th>
            <th>{v.t('prod.reason')}</th>
            <th>{v.t('prod.detected')}</th>
          </tr>
        </thead>
        <tbody>
          {issues.map((i) => (
            <tr>
              <td>
                <a href={`/admin/price-lists/${i.priceListId}`}>{i.priceList}</a>
              </td>
              <td translate="no">{i.brand}</td>
              <td translate="no">{i.article}</td>
              <td translate="no">{i.name}</td>
              <td>
                <b>{dqReason(v, i.reason)}</b>
              </td>
              <td>{formatTime(i.detectedAt, v.lang)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

async function productsPage(c: AdminContext, deps: AdminPanelDeps, catalog: CatalogViewRepository): Promise<Response> {
  const v = c.get('view');
  const q = (c.req.query('q') ?? '').trim();
  const page = pageParam(c);
  const { total, items: products } = await catalog.productsPage(q, page, PRODUCTS_PAGE);
  const extras = await productExtras(deps, catalog, products);
  const issues = await catalog.dataQualityIssues(500);
  const listIssues = await catalog.priceListIssues(500);
  const afterRunId = afterRunFromQuery(c);
  const live = await liveData(deps, afterRunId !== undefined ? { afterRunId } : {});
  const active = await deps.setup.integrations.listActive();
  return c.html(
    <Page v={v} title={v.t('prod.title')} flash={flashFromQuery(c)}>
      <ResyncForm v={v} canRun={active.length > 0} />
      <LiveRuns v={v} scope={afterRunId !== undefined ? { afterRunId, waiting: true } : {}} data={live} />
      <SearchForm v={v} action="/admin/products" q={q} placeholder={v.t('prod.searchPlaceholder')} target="products-block" style="margin-bottom:10px" />
      <div id="products-block">
        <ProductsTable v={v} products={products} extras={extras} />
        <Pager v={v} base="/admin/products" params={q ? { q } : {}} page={page} pageSize={PRODUCTS_PAGE} total={total} />
      </div>

      <h2 id="data-quality">{v.t('prod.dq')}</h2>
      <p class="hint">{v.t('prod.dqHint')}</p>
      <DataQualityReport v={v} issues={issues} />
      <PriceListIssues v={v} issues={listIssues} />
    </Page>,
  );
}

/** R17 «Полная пересинхронизация»: a full nomenclature sync of every active integration. */
async function fullResync(c: AdminContext, deps: AdminPanelDeps): Promise<Response> {
  const active = await deps.setup.integrations.listActive();
  if (active.length === 0) return c.redirect('/admin/products?error=prod.noIntegration', 302);
  const after = await lastRunId(deps);
  let merged = true;
  for (const i of active) {
    const r = await deps.enqueuer.enqueue({ kind: NOMENCLATURE_FULL, integrationId: i.id, trigger: 'admin' });
    merged &&= r.merged;
  }
  return c.redirect(`/admin/products?done=${merged ? 'common.merged' : 'common.queued'}&kind=${NOMENCLATURE_FULL}&after=${after}`, 302);
}

export function registerCatalogRoutes(admin: Hono<AdminEnv>, deps: AdminPanelDeps): void {
  const catalog = new CatalogViewRepository(deps.db);
  admin.get('/products', (c) => productsPage(c, deps, catalog));
  admin.post('/products/resync', (c) => fullResync(c, deps));
}
