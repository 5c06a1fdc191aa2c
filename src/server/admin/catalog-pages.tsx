/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
/**
 * @module catalog-pages
 * Номенклатура (products with search and paging, "Полная пересинхронизация" R17, the data-quality
 * report B5) and Заказы (customer and supplier orders with their export state, MoySklad id,
 * the failure reason, a retry button calling the orders module's `retryOrderExport`, and
 * ambiguous counterparty matches).
 */
import type { Hono } from 'hono';
import { normalizeArticle } from '../../core/normalize.js';
import { moyskladCardUrl } from '../../domain/moysklad-links.js';
import { searchTextContains } from '../../store/search-filter.js';
import { dataQualityReasonText } from '../../sync/nomenclature/data-quality-texts.js';
import { CatalogScopeRepository } from '../../store/repositories/catalog-scope-repository.js';
import { NOMENCLATURE_FULL } from '../../sync/nomenclature/nomenclature-sync.js';
import { resolveCounterpartyMatch } from '../../sync/counterparties/counterparty-export.js';
import { retryOrderExport } from '../../sync/orders/order-outbox.js';
import type { AdminEnv, AdminPanelDeps } from './admin-helpers.js';
import { field, flashFromQuery, idParam } from './admin-helpers.js';
import { SearchForm } from './components.js';
import type { MessageKey } from './i18n.js';
import { Csrf, Page, Pager, formatTime, type ViewContext } from './layout.js';

const PRODUCTS_PAGE = 50;
const ORDERS_PAGE = 50;

function dqReason(v: ViewContext, reason: string): string {
  return dataQualityReasonText(reason, v.lang);
}

export function registerCatalogRoutes(admin: Hono<AdminEnv>, deps: AdminPanelDeps): void {
  const { db, clock } = deps;

  admin.get('/products', async (c) => {
    const v = c.get('view');
    const q = (c.req.query('q') ?? '').trim();
    const page = Math.max(1, Number(c.req.query('page')) || 1);
    let base = db.selectFrom('products as p').where('p.deleted', '=', 0).where('p.syncState', '=', 'ok');
    const text = searchTextContains('p.searchText', q);
    if (text) {
      // E6: brand, article, code or name in any case, Cyrillic too; or the normalized article.
      const art = normalizeArticle(q);
      base = base.where((eb) => eb.or([text, ...(art ? [eb('p.articleNorm', 'like', `%${art}%`)] : [])]));
    }
    const { total } = await base.select((eb) => eb.fn.countAll<number>().as('total')).executeTakeFirstOrThrow();
    const products = await base
      .select(['p.id', 'p.msAccountId', 'p.msFolderId', 'p.brand', 'p.article', 'p.name', 'p.archived'])
      .orderBy('p.brand')
      .orderBy('p.article')
      .orderBy('p.id')
      .limit(PRODUCTS_PAGE)
      .offset((page - 1) * PRODUCTS_PAGE)
      .execute();
    const ids = products.map((p) => Number(p.id));
    // C8: a product's category depends on the integration; the panel shows it in the first one that shows it.
    const categoryOf = await new CatalogScopeRepository(db, clock).categoriesOfProducts(products.map((p) => ({ id: Number(p.id), msAccountId: Number(p.msAccountId), msFolderId: p.msFolderId })));
    const categoryIds = [...new Set([...categoryOf.values()].filter((c): c is number => c !== null))];
    const categoryNames = new Map(categoryIds.length ? (await db.selectFrom('categories').select(['id', 'name']).where('id', 'in', categoryIds).execute()).map((c) => [Number(c.id), c.name]) : []);
    const images = ids.length
      ? await db.selectFrom('productImages').select(['productId', 'blobHash', 'position']).where('productId', 'in', ids).where('blobHash', 'is not', null).orderBy('position').execute()
      : [];
    const thumbOf = new Map<number, string>();
    for (const im of images) if (im.blobHash && !thumbOf.has(Number(im.productId))) thumbOf.set(Number(im.productId), im.blobHash);
    const issues = await db
      .selectFrom('dataQualityIssues')
      .select(['msProductId', 'msType', 'code', 'article', 'name', 'reason', 'message', 'detectedAt'])
      .orderBy('detectedAt', 'desc')
      .limit(500)
      .execute();
    // C3: products a price list left out (no price of its price type), with the list's name.
    const listIssues = await db
      .selectFrom('priceListIssues as i')
      .innerJoin('priceLists as pl', 'pl.id', 'i.priceListId')
      .select(['i.brand', 'i.article', 'i.name', 'i.reason', 'i.detectedAt', 'pl.id as priceListId', 'pl.name as priceList'])
      .orderBy('pl.id')
      .orderBy('i.id')
      .limit(500)
      .execute();
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
                const hash = thumbOf.get(Number(p.id));
                return (
                  <tr>
                    <td>{hash ? <img class="thumb" src={`/media/${hash}/thumb`} alt="" loading="lazy" /> : <span class="muted">—</span>}</td>
                    <td>{p.brand}</td>
                    <td>{p.article}</td>
                    <td>
                      {p.name}
                      {p.archived ? <span class="badge"> archived</span> : null}
                    </td>
                    <td>{categoryNames.get(categoryOf.get(Number(p.id)) ?? -1) ?? '—'}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
        <Pager v={v} base="/admin/products" params={q ? { q } : {}} page={page} pageSize={PRODUCTS_PAGE} total={Number(total)} />
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
                  <td>{i.code ?? '—'}</td>
                  <td>{i.article ?? '—'}</td>
                  <td>
                    {i.name ?? i.msProductId}{' '}
                    <a class="hint" href={moyskladCardUrl(i.msProductId, i.msType === 'variant' ? 'variant' : 'product')} target="_blank" rel="noopener noreferrer">
                      {v.t('prod.openInMs')}
                    </a>
                  </td>
                  <td>
                    <b>{dqReason(v, i.reason)}</b>
                    <div class="hint">{i.message}</div>
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
                    <td>{i.brand}</td>
                    <td>{i.article}</td>
                    <td>{i.name}</td>
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
    let merged = true;
    for (const i of active) {
      const r = await deps.enqueuer.enqueue({ kind: NOMENCLATURE_FULL, integrationId: i.id, trigger: 'admin' });
      merged &&= r.merged;
    }
    return c.redirect(`/admin/products?done=${merged ? 'common.merged' : 'common.queued'}&kind=${NOMENCLATURE_FULL}`, 302);
  });

  admin.get('/orders', async (c) => {
    const v = c.get('view');
    const kind = c.req.query('kind') === 'supplier' ? 'supplier' : 'customer';
    const state = c.req.query('state') ?? '';
    const q = (c.req.query('q') ?? '').trim();
    const page = Math.max(1, Number(c.req.query('page')) || 1);
    let base = db.selectFrom('orders as o').where('o.kind', '=', kind);
    if (state === 'pending' || state === 'sent' || state === 'failed') base = base.where('o.exportState', '=', state);
    const number = searchTextContains('o.searchText', q);
    const party = searchTextContains('cps.searchText', q);
    if (number && party) {
      // E6: the order number or the counterparty (name, INN, e-mail, phone), in any case.
      base = base.where((eb) => eb.or([number, eb('o.counterpartyId', 'in', eb.selectFrom('counterparties as cps').select('cps.id').where(party))]));
    }
    const { total } = await base.select((eb) => eb.fn.countAll<number>().as('total')).executeTakeFirstOrThrow();
    const orders = await base
      .innerJoin('counterparties as cp', 'cp.id', 'o.counterpartyId')
      .select(['o.id', 'o.externalId', 'o.exportState', 'o.exportError', 'o.msOrderId', 'o.msDeletedAt', 'o.createdAt', 'o.exportedAt', 'cp.name as counterparty'])
      .orderBy('o.id', 'desc')
      .limit(ORDERS_PAGE)
      .offset((page - 1) * ORDERS_PAGE)
      .execute();
    const ambiguous = await db
      .selectFrom('counterpartyMatchIssues as m')
      .innerJoin('counterparties as cp', 'cp.id', 'm.counterpartyId')
      .select(['m.id', 'm.reason', 'm.candidates', 'm.detectedAt', 'cp.name', 'cp.externalId', 'cp.kind'])
      .where('m.resolvedAt', 'is', null)
      .orderBy('m.id', 'desc')
      .limit(200)
      .execute();
    const tab = (k: 'customer' | 'supplier', key: MessageKey) => (
      <a href={`/admin/orders?kind=${k}`} class={`button ${k === kind ? '' : 'secondary'}`} style={k === kind ? '' : 'background:#e6ecf5;color:#1d2330'}>
        {v.t(key)}
      </a>
    );
    return c.html(
      <Page v={v} title={v.t('ord.title')} flash={flashFromQuery(c)}>
        <p class="inline">
          {tab('customer', 'ord.customer')} {tab('supplier', 'ord.supplier')}
        </p>
        <p class="inline">
          {(['', 'pending', 'sent', 'failed'] as const).map((s) => (
            <a href={`/admin/orders?kind=${kind}${s ? `&state=${s}` : ''}`} class={`badge ${s === state ? 'ok' : ''}`}>
              {s ? v.t(`ord.state.${s}` as MessageKey) : v.t('common.all')}
            </a>
          ))}
        </p>
        <SearchForm v={v} action="/admin/orders" hidden={{ kind, ...(state ? { state } : {}) }} q={q} placeholder={v.t('ord.searchPlaceholder')} target="orders-block" style="margin-bottom:10px" />
        <div id="orders-block">
        {orders.length === 0 ? (
          <p class="muted">{v.t('ord.empty')}</p>
        ) : (
          <table id="orders">
            <thead>
              <tr>
                <th>{v.t('ord.number')}</th>
                <th>{v.t('common.time')}</th>
                <th>{v.t('ord.counterparty')}</th>
                <th>{v.t('ord.state')}</th>
                <th>{v.t('ord.msId')}</th>
                <th>{v.t('ord.reason')}</th>
                <th></th>
              </tr>
            </thead>
            <tbody>
              {orders.map((o) => (
                <tr>
                  <td>{o.externalId}</td>
                  <td>{formatTime(o.createdAt, v.lang)}</td>
                  <td>{o.counterparty}</td>
                  <td>
                    {o.msDeletedAt ? (
                      <span class="badge" title={formatTime(o.msDeletedAt, v.lang)}>
                        {v.t('ord.state.deleted')}
                      </span>
                    ) : (
                      <span class={`badge ${o.exportState === 'sent' ? 'ok' : o.exportState}`}>{v.t(`ord.state.${o.exportState}` as MessageKey)}</span>
                    )}
                  </td>
                  <td>
                    <code>{o.msOrderId ?? '—'}</code>
                  </td>
                  <td>{o.exportError ?? ''}</td>
                  <td>
                    {o.exportState !== 'sent' ? (
                      <form method="post" action={`/admin/orders/${o.id}/retry`}>
                        <Csrf v={v} />
                        <button type="submit" class="secondary" style="margin:0">
                          {v.t('ord.retry')}
                        </button>
                      </form>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <Pager v={v} base="/admin/orders" params={{ kind, ...(state ? { state } : {}), ...(q ? { q } : {}) }} page={page} pageSize={ORDERS_PAGE} total={Number(total)} />
        </div>
        <h2>{v.t('ord.ambiguous')}</h2>
        <p class="hint">{v.t('ord.ambiguousHint')}</p>
        {ambiguous.length === 0 ? (
          <p class="muted">{v.t('ord.noAmbiguous')}</p>
        ) : (
          <table>
            <thead>
              <tr>
                <th>{v.t('ord.counterparty')}</th>
                <th>{v.t('ord.reason')}</th>
                <th>{v.t('ord.candidates')}</th>
                <th>{v.t('prod.detected')}</th>
              </tr>
            </thead>
            <tbody>
              {ambiguous.map((m) => (
                <tr>
                  <td>
                    {m.name} <span class="muted">({m.kind} {m.externalId})</span>
                  </td>
                  <td>{m.reason}</td>
                  <td>
                    {candidatesOf(m.candidates).map((cand) => (
                      <form method="post" action={`/admin/counterparty-matches/${m.id}/resolve`} class="inline" style="margin:2px 0">
                        <Csrf v={v} />
                        <input type="hidden" name="msCounterpartyId" value={cand.id} />
                        <span>{cand.label}</span>
                        <button type="submit" class="secondary" style="margin:0">
                          {v.t('ord.link')}
                        </button>
                      </form>
                    ))}
                  </td>
                  <td>{formatTime(m.detectedAt, v.lang)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Page>,
    );
  });

  // R25: the admin picks the right MoySklad counterparty of an ambiguous match; waiting exports are requeued.
  admin.post('/counterparty-matches/:id/resolve', async (c) => {
    const id = idParam(c);
    const issue = id ? await db.selectFrom('counterpartyMatchIssues').selectAll().where('id', '=', id).where('resolvedAt', 'is', null).executeTakeFirst() : undefined;
    const chosen = field(await c.req.parseBody(), 'msCounterpartyId');
    if (!issue || !candidatesOf(issue.candidates).some((cand) => cand.id === chosen)) {
      return c.html(<Page v={c.get('view')} title={c.get('view').t('common.notFound')} />, 404);
    }
    const n = await resolveCounterpartyMatch({ db, clock }, { counterpartyId: Number(issue.counterpartyId), msAccountId: Number(issue.msAccountId), msCounterpartyId: chosen });
    return c.redirect(`/admin/orders?done=ord.linked&n=${n}`, 302);
  });

  admin.post('/orders/:id/retry', async (c) => {
    const id = idParam(c);
    const order = id ? await db.selectFrom('orders').select(['id', 'kind']).where('id', '=', id).executeTakeFirst() : undefined;
    if (!order) return c.html(<Page v={c.get('view')} title={c.get('view').t('common.notFound')} />, 404);
    const n = await retryOrderExport({ db, clock }, Number(order.id));
    return c.redirect(`/admin/orders?kind=${order.kind}&done=ord.retried&id=${order.id}&n=${n}`, 302);
  });
}

/** Candidate counterparties (stored JSON) with a label `name · INN · e-mail · phone · id`. */
export function candidatesOf(json: string): Array<{ id: string; label: string }> {
  try {
    const list = JSON.parse(json) as Array<{ id?: string; name?: string; inn?: string; email?: string; phone?: string } | string>;
    return list
      .map((c) => (typeof c === 'string' ? { id: c, label: c } : { id: c.id ?? '', label: [c.name, c.inn, c.email, c.phone, c.id].filter(Boolean).join(' · ') }))
      .filter((c) => c.id);
  } catch {
    return [];
  }
}
