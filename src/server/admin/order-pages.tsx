/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
/**
 * @module order-pages
 * Заказы: customer and supplier orders with their export state (filter, E6 search), each opening
 * its page — lines with status, MoySklad state and shipped quantity when known (E7), the export
 * attempts and errors, why it waits, links to the order and the counterparty in MoySklad, and
 * «Повторить» (the orders module's `retryOrderExport`, B1, then the outbox sender is woken, P1);
 * ambiguous counterparty matches with «Связать» (R25; the requeued exports wake the sender too).
 */
import type { Hono } from 'hono';
import { orderDetails, type OrderDetails } from '../../app/order-details.js';
import { moyskladDocumentUrl } from '../../domain/moysklad-links.js';
import { OrderViewRepository } from '../../store/repositories/order-view-repository.js';
import type { ExportState } from '../../store/schema.js';
import { resolveCounterpartyMatch } from '../../sync/counterparties/counterparty-export.js';
import { retryOrderExport } from '../../sync/orders/order-outbox.js';
import type { AdminContext, AdminEnv, AdminPanelDeps } from './admin-helpers.js';
import { field, flashFromQuery, idParam, pageParam } from './admin-helpers.js';
import { SearchForm } from './components.js';
import { formatMoney, formatNumber } from './format.js';
import type { MessageKey } from './i18n.js';
import { exportErrorText } from './i18n-staff.js';
import { Csrf, Page, Pager, formatTime, type Flash, type ViewContext } from './layout.js';

const ORDERS_PAGE = 50;
const STATES: readonly ExportState[] = ['pending', 'sent', 'failed'];

/** Candidate counterparties (stored JSON) with a label `name · INN · e-mail · phone`. */
export function candidatesOf(json: string): Array<{ id: string; label: string }> {
  try {
    const list = JSON.parse(json) as Array<{ id?: string; name?: string; inn?: string; email?: string; phone?: string } | string>;
    return list
      .map((c) => (typeof c === 'string' ? { id: c, label: c } : { id: c.id ?? '', label: [c.name, c.inn, c.email, c.phone].filter(Boolean).join(' · ') || (c.id ?? '') }))
      .filter((c) => c.id);
  } catch {
    return [];
  }
}

const MsLink = ({ v, href }: { v: ViewContext; href: string }) => (
  <a href={href} target="_blank" rel="noopener noreferrer">
    {v.t('ord.openInMs')}
  </a>
);

const ExportBadge = ({ v, state, deletedAt }: { v: ViewContext; state: ExportState; deletedAt: string | null }) =>
  deletedAt ? (
    <span class="badge" title={formatTime(deletedAt, v.lang)}>
      {v.t('ord.state.deleted')}
    </span>
  ) : (
    <span class={`badge ${state === 'sent' ? 'ok' : state}`}>{v.t(`ord.state.${state}` as MessageKey)}</span>
  );

function OrderPage({ v, d, flash }: { v: ViewContext; d: OrderDetails; flash: Flash | null }) {
  const o = d.order;
  const docType = o.kind === 'supplier' ? 'purchaseorder' : 'customerorder';
  return (
    <Page v={v} title={v.t('ord.page', { number: o.externalId })} flash={flash}>
      <p>
        <a href={`/admin/orders?kind=${o.kind}`}>{v.t('ord.backToList')}</a>
      </p>
      <div class="card" id="order-summary">
        <dl class="facts">
          <dt>{v.t('ord.kind')}</dt>
          <dd>{v.t(o.kind === 'supplier' ? 'ord.supplier' : 'ord.customer')}</dd>
          <dt>{v.t('common.time')}</dt>
          <dd>{formatTime(o.createdAt, v.lang)}</dd>
          <dt>{v.t('ord.counterparty')}</dt>
          <dd>
            {d.counterparty.name} {d.counterparty.msCounterpartyId ? <MsLink v={v} href={moyskladDocumentUrl('counterparty', d.counterparty.msCounterpartyId)} /> : null}
          </dd>
          <dt>{v.t('ord.state')}</dt>
          <dd>
            <ExportBadge v={v} state={o.exportState} deletedAt={o.msDeletedAt} /> {o.exportedAt ? <span class="muted">{formatTime(o.exportedAt, v.lang)}</span> : null}
          </dd>
          <dt>{v.t('ord.inMs')}</dt>
          <dd id="order-ms">{o.msOrderId ? <MsLink v={v} href={moyskladDocumentUrl(docType, o.msOrderId)} /> : <span class="muted">{v.t('ord.notInMs')}</span>}</dd>
          {o.msStateName ? (
            <>
              <dt>{v.t('ord.msState')}</dt>
              <dd id="order-ms-state">
                {o.msStateName} {o.msStateChangedAt ? <span class="muted">{formatTime(o.msStateChangedAt, v.lang)}</span> : null}
              </dd>
            </>
          ) : null}
          {d.waitReason ? (
            <>
              <dt>{v.t('ord.why')}</dt>
              <dd id="order-wait" data-reason={d.waitReason}>
                {v.t(`ord.wait.${d.waitReason}` as MessageKey)}
                {d.waitReason === 'integration_problem' && d.problem ? <div class="hint">{d.problem}</div> : null}
                {d.waitReason === 'failed' && o.exportError ? <div class="hint">{exportErrorText(o.exportError, v.lang)}</div> : null}
              </dd>
            </>
          ) : null}
        </dl>
        {o.exportState !== 'sent' ? (
          <form method="post" action={`/admin/orders/${o.id}/retry`}>
            <Csrf v={v} />
            <button type="submit" id="order-retry">
              {v.t('ord.retry')}
            </button>
          </form>
        ) : null}
      </div>

      <h2>{v.t('ord.lines')}</h2>
      <table id="order-lines">
        <thead>
          <tr>
            <th>{v.t('pl.brand')}</th>
            <th>{v.t('pl.article')}</th>
            <th>{v.t('prod.name')}</th>
            <th class="num">{v.t('ord.qty')}</th>
            <th class="num">{v.t('ord.price')}</th>
            <th>{v.t('ord.lineStatus')}</th>
            <th>{v.t('ord.lineInMs')}</th>
            <th class="num">{v.t('ord.shipped')}</th>
          </tr>
        </thead>
        <tbody>
          {o.positions.map((p) => (
            <tr>
              <td translate="no">{p.brand}</td>
              <td translate="no">{p.article}</td>
              <td translate="no">{p.name}</td>
              <td class="num">{formatNumber(p.quantity, v.lang)}</td>
              <td class="num">{formatMoney(p.price, v.lang)}</td>
              <td>{v.t(`ord.line.${p.status}` as MessageKey)}</td>
              <td>{v.t(`ord.lineSync.${p.syncState}` as MessageKey)}</td>
              <td class="num">{p.shippedQuantity === null ? '—' : formatNumber(p.shippedQuantity, v.lang)}</td>
            </tr>
          ))}
        </tbody>
      </table>

      <h2>{v.t('ord.attempts')}</h2>
      {d.attempts.length === 0 ? (
        <p class="muted">{v.t('ord.noAttempts')}</p>
      ) : (
        <table id="order-attempts">
          <thead>
            <tr>
              <th>{v.t('ord.attemptCreated')}</th>
              <th>{v.t('common.status')}</th>
              <th class="num">{v.t('ord.attemptCount')}</th>
              <th>{v.t('ord.nextAttempt')}</th>
              <th>{v.t('ord.lastError')}</th>
            </tr>
          </thead>
          <tbody>
            {d.attempts.map((a) => (
              <tr>
                <td>{formatTime(a.createdAt, v.lang)}</td>
                <td>{v.t(`ord.attempt.${a.state}` as MessageKey)}</td>
                <td class="num">{a.attempts}</td>
                <td>{a.state === 'sent' ? formatTime(a.sentAt, v.lang) : formatTime(a.nextAttemptAt, v.lang)}</td>
                <td>{exportErrorText(a.lastError, v.lang) || '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Page>
  );
}

interface OrdersQuery {
  kind: 'customer' | 'supplier';
  state: ExportState | undefined;
  q: string;
  page: number;
}

function ordersQueryOf(c: AdminContext): OrdersQuery {
  const stateText = c.req.query('state') ?? '';
  return {
    kind: c.req.query('kind') === 'supplier' ? 'supplier' : 'customer',
    state: STATES.find((s) => s === stateText),
    q: (c.req.query('q') ?? '').trim(),
    page: pageParam(c),
  };
}

type OrderListItem = Awaited<ReturnType<OrderViewRepository['ordersPage']>>['items'][number];
type MatchIssue = Awaited<ReturnType<OrderViewRepository['openMatchIssues']>>[number];

/** The customer/supplier tabs and the export-state filter. */
function OrderFilters({ v, query }: { v: ViewContext; query: OrdersQuery }) {
  const { kind, state } = query;
  const tab = (k: 'customer' | 'supplier', key: MessageKey) => (
    <a href={`/admin/orders?kind=${k}`} class={`button ${k === kind ? '' : 'secondary'}`} aria-current={k === kind ? 'page' : undefined}>
      {v.t(key)}
    </a>
  );
  return (
    <>
      <p class="inline">
        {tab('customer', 'ord.customer')} {tab('supplier', 'ord.supplier')}
      </p>
      <p class="inline">
        {(['', ...STATES] as const).map((s) => (
          <a href={`/admin/orders?kind=${kind}${s ? `&state=${s}` : ''}`} class={`badge ${s === (state ?? '') ? 'ok' : ''}`}>
            {s ? v.t(`ord.state.${s}` as MessageKey) : v.t('common.all')}
          </a>
        ))}
      </p>
    </>
  );
}

function OrdersTable({ v, orders }: { v: ViewContext; orders: OrderListItem[] }) {
  if (orders.length === 0) return <p class="muted">{v.t('ord.empty')}</p>;
  return (
    <table id="orders">
      <thead>
        <tr>
          <th>{v.t('ord.number')}</th>
          <th>{v.t('common.time')}</th>
          <th>{v.t('ord.counterparty')}</th>
          <th>{v.t('ord.state')}</th>
          <th>{v.t('ord.msState')}</th>
          <th>{v.t('ord.reason')}</th>
        </tr>
      </thead>
      <tbody>
        {orders.map((o) => (
          <tr>
            <td>
              <a href={`/admin/orders/${o.id}`}>{o.externalId}</a>
            </td>
            <td>{formatTime(o.createdAt, v.lang)}</td>
            <td>{o.counterparty}</td>
            <td>
              <ExportBadge v={v} state={o.exportState} deletedAt={o.msDeletedAt} />
            </td>
            <td>{o.msStateName ?? '—'}</td>
            <td>{exportErrorText(o.exportError, v.lang)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** R25: the open ambiguous counterparty matches, each candidate with «Связать». */
function AmbiguousMatches({ v, matches }: { v: ViewContext; matches: MatchIssue[] }) {
  if (matches.length === 0) return <p class="muted">{v.t('ord.noAmbiguous')}</p>;
  return (
    <table id="ambiguous-matches">
      <thead>
        <tr>
          <th>{v.t('ord.counterparty')}</th>
          <th>{v.t('ord.candidates')}</th>
          <th>{v.t('prod.detected')}</th>
        </tr>
      </thead>
      <tbody>
        {matches.map((m) => (
          <tr>
            <td>
              {m.name} <span class="muted">({v.t(m.kind === 'supplier' ? 'ord.cpSupplier' : 'ord.cpClient')})</span>
            </td>
            <td>
              {candidatesOf(m.candidates).map((cand) => (
                <form method="post" action={`/admin/counterparty-matches/${m.id}/resolve`} class="inline" style="margin:2px 0">
                  <Csrf v={v} />
                  <input type="hidden" name="msCounterpartyId" value={cand.id} />
                  <span>{cand.label}</span> <MsLink v={v} href={moyskladDocumentUrl('counterparty', cand.id)} />
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
  );
}

async function ordersList(c: AdminContext, views: OrderViewRepository): Promise<Response> {
  const v = c.get('view');
  const query = ordersQueryOf(c);
  const { kind, state, q, page } = query;
  const { total, items: orders } = await views.ordersPage({ kind, ...(state ? { state } : {}), search: q, page, size: ORDERS_PAGE });
  const ambiguous = await views.openMatchIssues(200);
  return c.html(
    <Page v={v} title={v.t('ord.title')} flash={flashFromQuery(c)}>
      <OrderFilters v={v} query={query} />
      <SearchForm v={v} action="/admin/orders" hidden={{ kind, ...(state ? { state } : {}) }} q={q} placeholder={v.t('ord.searchPlaceholder')} target="orders-block" style="margin-bottom:10px" />
      <div id="orders-block">
        <OrdersTable v={v} orders={orders} />
        <Pager v={v} base="/admin/orders" params={{ kind, ...(state ? { state } : {}), ...(q ? { q } : {}) }} page={page} pageSize={ORDERS_PAGE} total={total} />
      </div>
      <h2>{v.t('ord.ambiguous')}</h2>
      <p class="hint">{v.t('ord.ambiguousHint')}</p>
      <AmbiguousMatches v={v} matches={ambiguous} />
    </Page>,
  );
}

async function orderPage(c: AdminContext, deps: AdminPanelDeps): Promise<Response> {
  const id = idParam(c);
  const d = id ? await orderDetails({ db: deps.db, clock: deps.clock }, id) : null;
  if (!d) return c.notFound();
  return c.html(<OrderPage v={c.get('view')} d={d} flash={flashFromQuery(c)} />);
}

/** P1: an export made due again goes out now, not at the next minute poll. The change is committed: a failed wake-up leaves it to the poll. */
function wakeSender(deps: AdminPanelDeps): void {
  try {
    deps.wake?.();
  } catch {
    // the minute poll sends it
  }
}

// R25: the admin picks the right MoySklad counterparty of an ambiguous match; waiting exports are requeued.
async function resolveMatch(c: AdminContext, deps: AdminPanelDeps, views: OrderViewRepository): Promise<Response> {
  const id = idParam(c);
  const issue = id ? await views.openMatchIssue(id) : null;
  const chosen = field(await c.req.parseBody(), 'msCounterpartyId');
  if (!issue || !candidatesOf(issue.candidates).some((cand) => cand.id === chosen)) return c.notFound();
  const n = await resolveCounterpartyMatch({ db: deps.db, clock: deps.clock }, { counterpartyId: issue.counterpartyId, msAccountId: issue.msAccountId, msCounterpartyId: chosen });
  if (n > 0) wakeSender(deps);
  return c.redirect(`/admin/orders?done=ord.linked&n=${n}`, 302);
}

/** «Повторить» (B1): every failed or waiting outbox row of the order is due now, and the sender is woken (P1). */
async function retryExport(c: AdminContext, deps: AdminPanelDeps): Promise<Response> {
  const id = idParam(c);
  const d = id ? await orderDetails({ db: deps.db, clock: deps.clock }, id) : null;
  if (!d) return c.notFound();
  const n = await retryOrderExport({ db: deps.db, clock: deps.clock }, Number(d.order.id));
  if (n > 0) wakeSender(deps);
  return c.redirect(`/admin/orders/${d.order.id}?done=ord.retried&id=${encodeURIComponent(d.order.externalId)}&n=${n}`, 302);
}

export function registerOrderRoutes(admin: Hono<AdminEnv>, deps: AdminPanelDeps): void {
  const views = new OrderViewRepository(deps.db);
  admin.get('/orders', (c) => ordersList(c, views));
  admin.get('/orders/:id', (c) => orderPage(c, deps));
  admin.post('/counterparty-matches/:id/resolve', (c) => resolveMatch(c, deps, views));
  admin.post('/orders/:id/retry', (c) => retryExport(c, deps));
}
