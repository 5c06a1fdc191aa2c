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
import type { AdminEnv, AdminPanelDeps } from './admin-helpers.js';
import { afterRunFromQuery, flashFromQuery, pageParam } from './admin-helpers.js';
import { SearchForm } from './components.js';
import { Csrf, Page, Pager, formatTime, type ViewContext } from './layout.js';
import { LiveRuns, lastRunId, liveData } from './progress-block.js';

const PRODUCTS_PAGE = 50;

function dqReason(v: ViewContext, reason: string): string {
  return dataQualityReasonText(reason, v.lang);
}

export function registerCatalogRoutes(admin: Hono<AdminEnv>, deps: AdminPanelDeps): void {
  const { db, clock } = deps;
  const catalog = new CatalogViewRepository(db);

  admin.get('/products', async (c) => {
    const v = c.get('view');
    const q = (c.req.query('q') ?? '').trim();
    const page = pageParam(c);
    const { total, items: products } = await catalog.productsPage(q, page, PRODUCTS_PAGE);
    const ids = products.map((p) => p.id);
    // C8: a product's category depends on the integration; the panel shows it in the first one that shows it.
    const categoryOf = await new CatalogScopeRepository(db, clock).categoriesOfProducts(products.map((p) => ({ id: p.id, msAccountId: p.msAccountId, msFolderId: p.msFolderId })));
    const categoryNames = await catalog.categoryNames([...new Set([...categoryOf.values()].filter((c): c is number => c !== null))]);
    const thumbOf = await catalog.thumbnails(ids);
    const issues = await catalog.dataQualityIssues(500);
    const listIssues = await catalog.priceListIssues(500);
    const afterRunId = afterRunFromQuery(c);
    const live = await liveData(deps, afterRunId !== undefined ? { afterRunId } : {});
    const active = await deps.setup.integrations.listActive();
    return c.html(
      <Page v={v} title={v.t('prod.title')} flash={flashFromQuery(c)}>
        <form method="post" action="/admin/products/resync" class="card inline">
          <Csrf v={v} />
          <button type="submit" id="full-resync" disabled={active.length === 0}>
            {v.t('prod.resync')}
          </button>
          <span class="hint">{active.length ? v.t('prod.resyncHint') : v.t('prod.noIntegration')}</span>
        </form>
        <LiveRuns v={v} scope={afterRunId !== undefined ? { afterRunId, waiting: true } : {}} data={live} />
        <SearchForm v={v} action="/admin/products" q={q} placeholder={v.t('prod.searchPlaceholder')} target="products-block" style="margin-bottom:10px" />
        <div id="products-block">
        {products.length === 0 ? (
          <p class="muted">{v.t('prod.empty')}</p>
        ) : (
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
                const hash = thumbOf.get(p.id);
                return (
                  <tr>
                    <td>{hash ? <img class="thumb" src={`/media/${hash}/thumb`} alt="" loading="lazy" /> : <span class="muted">—</span>}</td>
                    <td translate="no">{p.brand}</td>
                    <td translate="no">{p.article}</td>
                    <td>
                      <span translate="no">{p.name}</span>
                      {p.archived ? <span class="badge"> {v.t('prod.archived')}</span> : null}
                    </td>
                    <td>{categoryNames.get(categoryOf.get(p.id) ?? -1) ?? '—'}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
        <Pager v={v} base="/admin/products" params={q ? { q } : {}} page={page} pageSize={PRODUCTS_PAGE} total={total} />
        </div>

        <h2 id="data-quality">{v.t('prod.dq')}</h2>
        <p class="hint">{v.t('prod.dqHint')}</p>
        {issues.length === 0 ? (
          <p class="muted">{v.t('prod.dqEmpty')}</p>
        ) : (
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
        )}
        {listIssues.length === 0 ? null : (
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
                {listIssues.map((i) => (
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
        )}
      </Page>,
    );
  });

  admin.post('/products/resync', async (c) => {
    const active = await deps.setup.integrations.listActive();
    if (active.length === 0) return c.redirect('/admin/products?error=prod.noIntegration', 302);
    const after = await lastRunId(deps);
    let merged = true;
    for (const i of active) {
      const r = await deps.enqueuer.enqueue({ kind: NOMENCLATURE_FULL, integrationId: i.id, trigger: 'admin' });
      merged &&= r.merged;
    }
    return c.redirect(`/admin/products?done=${merged ? 'common.merged' : 'common.queued'}&kind=${NOMENCLATURE_FULL}&after=${after}`, 302);
  });
}
