/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
/**
 * @module feed-pages
 * E5 the price-list card's «Ссылка для загрузки прайс-листа» section: whether the list has a
 * secret feed URL, and CSRF forms to make one, replace it by a new one, or revoke it. A new URL is
 * shown once, on the page answering the form (never in a redirect URL), like API tokens.
 */
import type { Hono } from 'hono';
import { feedUrls, PriceListFeedService } from '../../app/price-list-feeds.js';
import { PriceListRepository } from '../../store/repositories/price-list-repository.js';
import type { FeedInfo } from '../../store/repositories/price-list-feed-repository.js';
import type { AdminEnv, AdminPanelDeps } from './admin-helpers.js';
import { idParam } from './admin-helpers.js';
import { Csrf, Page, formatTime, type ViewContext } from './layout.js';

export const FeedSection = ({ v, priceListId, feed }: { v: ViewContext; priceListId: number; feed: FeedInfo | null }) => (
  <section id="price-list-feed">
    <h2>{v.t('feed.title')}</h2>
    <p class="hint">{v.t('feed.hint')}</p>
    <p>
      {feed
        ? v.t('feed.active', { prefix: feed.prefix, created: formatTime(feed.createdAt, v.lang), used: feed.lastUsedAt ? formatTime(feed.lastUsedAt, v.lang) : v.t('feed.neverUsed') })
        : v.t('feed.none')}
    </p>
    <div class="inline">
      <form method="post" action={`/admin/price-lists/${priceListId}/feed`}>
        <Csrf v={v} />
        <button type="submit" id="feed-create">
          {feed ? v.t('feed.regenerate') : v.t('feed.create')}
        </button>
      </form>
      {feed ? (
        <form method="post" action={`/admin/price-lists/${priceListId}/feed/revoke`}>
          <Csrf v={v} />
          <button type="submit" class="danger" id="feed-revoke">
            {v.t('feed.revoke')}
          </button>
        </form>
      ) : null}
    </div>
  </section>
);

export function registerFeedRoutes(admin: Hono<AdminEnv>, deps: AdminPanelDeps): void {
  const feeds = new PriceListFeedService(deps);
  const exists = async (id: number | null): Promise<boolean> =>
    id !== null && (await new PriceListRepository(deps.db, deps.clock).find(id)) !== null;

  admin.post('/price-lists/:id/feed', async (c) => {
    const v = c.get('view');
    const id = idParam(c);
    if (!(await exists(id))) return c.html(<Page v={v} title={v.t('common.notFound')} />, 404);
    const { token } = await feeds.generate(id!);
    const urls = feedUrls(deps.publicBaseUrl, token);
    return c.html(
      <Page v={v} title={v.t('feed.createdTitle')} flash={{ kind: 'ok', text: v.t('feed.created') }}>
        <p>{v.t('feed.csv')}</p>
        <p class="token" id="feed-csv-url">
          {urls.csvUrl}
        </p>
        <p>{v.t('feed.json')}</p>
        <p class="token" id="feed-json-url">
          {urls.jsonUrl}
        </p>
        <p>
          <a href={`/admin/price-lists/${id}`}>{v.t('feed.back')}</a>
        </p>
      </Page>,
    );
  });

  admin.post('/price-lists/:id/feed/revoke', async (c) => {
    const v = c.get('view');
    const id = idParam(c);
    if (!(await exists(id))) return c.html(<Page v={v} title={v.t('common.notFound')} />, 404);
    await feeds.revoke(id!);
    return c.redirect(`/admin/price-lists/${id}?done=feed.revoked`, 302);
  });
}
