/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
/**
 * @module webhook-pages
 * E3 «Вебхуки платформы»: the platform's webhook subscriptions (read-only here; the platform
 * manages them through the API) and the delivery log — event (as a human text, never its code),
 * receiver, state, attempts, the last answer, the next attempt — with «Отправить снова» (a CSRF
 * form, like every other admin form) for each delivery. Filter by state, paged.
 */
import type { Hono } from 'hono';
import { PlatformWebhookService } from '../../app/platform-webhooks.js';
import type { PlatformEventType } from '../../domain/platform-events.js';
import type { DeliveryView } from '../../store/repositories/platform-webhook-repository.js';
import type { WebhookDeliveryState } from '../../store/schema.js';
import type { AdminEnv, AdminPanelDeps } from './admin-helpers.js';
import { flashFromQuery, idParam, pageParam } from './admin-helpers.js';
import type { Lang, MessageKey } from './i18n.js';
import { Csrf, Page, Pager, formatTime, type ViewContext } from './layout.js';

const DELIVERIES_PAGE = 50;
const STATES: readonly WebhookDeliveryState[] = ['pending', 'running', 'delivered', 'failed'];

/** What each event means, for the shop's staff (one line per event type of the closed union). */
export const EVENT_TEXTS: Readonly<Record<PlatformEventType, Record<Lang, string>>> = {
  'order.exported': { ru: 'Заказ выгружен в МойСклад', en: 'Order exported to MoySklad' },
  'order.failed': { ru: 'Выгрузка заказа остановлена с ошибкой', en: 'Order export stopped with an error' },
  'order.position_deleted': { ru: 'Позиция заказа удалена в МойСклад', en: 'Order line deleted in MoySklad' },
  'order.status_changed': { ru: 'Статус заказа изменён в МойСклад', en: 'Order status changed in MoySklad' },
  'product.changed': { ru: 'Товар изменён', en: 'Product changed' },
  'product.deleted': { ru: 'Товар убран из каталога', en: 'Product removed from the catalog' },
  'price_list.updated': { ru: 'Прайс-лист обновлён', en: 'Price list updated' },
  'balance.updated': { ru: 'Баланс клиента изменился', en: 'Client balance changed' },
};

export const eventText = (v: ViewContext, type: string): string => (EVENT_TEXTS as Readonly<Record<string, Record<Lang, string>>>)[type]?.[v.lang] ?? type;

/** The last answer of a delivery as a person reads it. */
export function answerText(v: ViewContext, d: Pick<DeliveryView, 'lastStatus' | 'lastError'>): string {
  if (d.lastStatus !== null) return v.t('wh.answer.http', { status: d.lastStatus });
  if (!d.lastError) return '—';
  if (d.lastError.startsWith('timed out')) return v.t('wh.answer.timeout');
  if (d.lastError.startsWith('cannot sign')) return v.t('wh.answer.unsigned');
  return v.t('wh.answer.unreachable');
}

const stateClass: Record<WebhookDeliveryState, string> = { pending: 'pending', running: 'running', delivered: 'ok', failed: 'failed' };

export function registerWebhookRoutes(admin: Hono<AdminEnv>, deps: AdminPanelDeps): void {
  const service = new PlatformWebhookService({ db: deps.db, clock: deps.clock });

  admin.get('/webhooks', async (c) => {
    const v = c.get('view');
    const stateText = c.req.query('state') ?? '';
    const state = STATES.includes(stateText as WebhookDeliveryState) ? (stateText as WebhookDeliveryState) : undefined;
    const page = pageParam(c);
    const subscriptions = await service.list();
    const { items, total } = await service.deliveries({ ...(state ? { state } : {}), limit: DELIVERIES_PAGE, offset: (page - 1) * DELIVERIES_PAGE });
    return c.html(
      <Page v={v} title={v.t('wh.title')} flash={flashFromQuery(c)}>
        <p class="hint">{v.t('wh.hint')}</p>
        <h2>{v.t('wh.subscriptions')}</h2>
        {subscriptions.length === 0 ? (
          <p class="muted">{v.t('wh.noSubscriptions')}</p>
        ) : (
          <table id="webhook-subscriptions">
            <thead>
              <tr>
                <th>{v.t('wh.url')}</th>
                <th>{v.t('common.name')}</th>
                <th>{v.t('wh.events')}</th>
                <th>{v.t('common.status')}</th>
              </tr>
            </thead>
            <tbody>
              {subscriptions.map((s) => (
                <tr>
                  <td>
                    <code>{s.url}</code>
                  </td>
                  <td>{s.description ?? '—'}</td>
                  <td>{s.events.map((e) => eventText(v, e)).join('; ')}</td>
                  <td>{s.active ? <span class="badge ok">{v.t('common.active')}</span> : <span class="badge pending">{v.t('wh.paused')}</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}

        <h2>{v.t('wh.deliveries')}</h2>
        <p class="inline">
          {(['', ...STATES] as const).map((s) => (
            <a href={`/admin/webhooks${s ? `?state=${s}` : ''}`} class={`badge ${s === (state ?? '') ? 'ok' : ''}`}>
              {s ? v.t(`wh.state.${s}` as MessageKey) : v.t('common.all')}
            </a>
          ))}
        </p>
        {items.length === 0 ? (
          <p class="muted">{v.t('wh.noDeliveries')}</p>
        ) : (
          <table id="webhook-deliveries">
            <thead>
              <tr>
                <th>{v.t('wh.created')}</th>
                <th>{v.t('wh.event')}</th>
                <th>{v.t('wh.receiver')}</th>
                <th>{v.t('common.status')}</th>
                <th class="num">{v.t('wh.attempts')}</th>
                <th>{v.t('wh.lastAnswer')}</th>
                <th>{v.t('wh.next')}</th>
                <th></th>
              </tr>
            </thead>
            <tbody>
              {items.map((d) => (
                <tr>
                  <td>{formatTime(d.createdAt, v.lang)}</td>
                  <td>{eventText(v, d.eventType)}</td>
                  <td>
                    <code>{d.url}</code>
                  </td>
                  <td>
                    <span class={`badge ${stateClass[d.state]}`}>{v.t(`wh.state.${d.state}` as MessageKey)}</span>
                    {d.deliveredAt ? <div class="hint">{formatTime(d.deliveredAt, v.lang)}</div> : null}
                  </td>
                  <td class="num">{d.attempts}</td>
                  <td>{answerText(v, d)}</td>
                  <td>{d.nextAttemptAt ? formatTime(d.nextAttemptAt, v.lang) : '—'}</td>
                  <td>
                    {d.state !== 'running' ? (
                      <form method="post" action={`/admin/webhook-deliveries/${d.id}/resend`}>
                        <Csrf v={v} />
                        <button type="submit" class="secondary" style="margin:0">
                          {v.t('wh.resend')}
                        </button>
                      </form>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <Pager v={v} base="/admin/webhooks" params={state ? { state } : {}} page={page} pageSize={DELIVERIES_PAGE} total={total} />
      </Page>,
    );
  });

  admin.post('/webhook-deliveries/:id/resend', async (c) => {
    const v = c.get('view');
    const id = idParam(c);
    const found = id ? await service.resend(id).then(
      () => true,
      () => false,
    ) : false;
    if (!found) return c.html(<Page v={v} title={v.t('common.notFound')} />, 404);
    return c.redirect('/admin/webhooks?done=wh.resent', 302);
  });
}
