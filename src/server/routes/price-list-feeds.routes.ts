/**
 * @module price-list-feeds.routes
 * E5 secret feed URLs of price lists: managing the token through the API (bearer auth), and the
 * public feed itself at `/feeds/{token}/price-list.csv|json` (no header needed: the token in the
 * path is the secret). Same content and generation consistency as `/api/v1/price-lists/{id}/export.csv`
 * (src/app/price-list-export.ts). An unknown or revoked token is 404, like any unknown path.
 */
import { z } from 'zod';
import { NotFoundError } from '../../core/errors.js';
import { exportPriceList, type ExportFormat } from '../../app/price-list-export.js';
import { feedUrls, PriceListFeedService } from '../../app/price-list-feeds.js';
import type { ApiDeps } from '../api-deps.js';
import { defineOperation, type ApiOperation } from '../api-router.js';
import { IdParams } from '../api-schemas.js';
import { Deleted, FeedParams, PriceListFeed } from '../platform-schemas.js';
import { loadPriceList } from './price-lists.routes.js';

const FeedStatus = z
  .object({
    priceListId: z.number().int(),
    enabled: z.boolean(),
    prefix: z.string().nullable().meta({ description: 'The first characters of the token, to recognise it' }),
    createdAt: z.string().nullable(),
    lastUsedAt: z.string().nullable(),
  })
  .meta({ id: 'PriceListFeedStatus' });

/** Feed answers are not cached by proxies and not indexed (the URL is a secret). */
const FEED_HEADERS = { 'cache-control': 'no-store', 'x-robots-tag': 'noindex' };

export function priceListFeedOperations(deps: ApiDeps): ApiOperation[] {
  const feeds = new PriceListFeedService(deps);
  const serve = (format: ExportFormat) => async ({ params }: { params: { token: string } }) => {
    const id = await feeds.resolve(params.token);
    if (id === null) throw new NotFoundError('feed', params.token.slice(0, 10));
    return exportPriceList(deps, await loadPriceList(deps, id), format, FEED_HEADERS);
  };
  return [
    defineOperation({
      method: 'get', path: '/price-lists/:id/feed', operationId: 'getPriceListFeed', tag: 'price lists',
      summary: 'Whether the price list has a secret feed URL (E5), when it was made and last fetched; never the token',
      params: IdParams, response: FeedStatus, errors: ['not_found'],
      handler: async ({ params }) => {
        await loadPriceList(deps, params.id);
        const info = await feeds.info(params.id);
        return { priceListId: params.id, enabled: info !== null, prefix: info?.prefix ?? null, createdAt: info?.createdAt ?? null, lastUsedAt: info?.lastUsedAt ?? null };
      },
    }),
    defineOperation({
      method: 'post', path: '/price-lists/:id/feed', operationId: 'generatePriceListFeed', tag: 'price lists',
      summary: 'Make a new secret feed URL for the price list (CSV and JSON, token in the path, shown once); the previous URL stops working',
      params: IdParams, response: PriceListFeed, successStatus: 201, errors: ['not_found'],
      handler: async ({ params }) => {
        await loadPriceList(deps, params.id);
        const { token, info } = await feeds.generate(params.id);
        return { priceListId: params.id, token, ...feedUrls(deps.publicBaseUrl, token), createdAt: info.createdAt };
      },
    }),
    defineOperation({
      method: 'delete', path: '/price-lists/:id/feed', operationId: 'revokePriceListFeed', tag: 'price lists',
      summary: "Revoke the price list's feed URL (404 when it has none)",
      params: IdParams, response: Deleted, errors: ['not_found'],
      handler: async ({ params }) => {
        await loadPriceList(deps, params.id);
        if (!(await feeds.revoke(params.id))) throw new NotFoundError('feed of price list', params.id);
        return { id: params.id, deleted: true as const };
      },
    }),
    ...(['csv', 'json'] as const).map((format) =>
      defineOperation({
        method: 'get', path: `/feeds/:token/price-list.${format}`, prefix: '', public: true, operationId: format === 'csv' ? 'priceListFeedCsv' : 'priceListFeedJson', tag: 'price lists',
        summary: `The price list at its secret feed URL, as ${format.toUpperCase()} (same content as export.${format}); no Authorization header`,
        params: FeedParams, responseContentType: format === 'csv' ? 'text/csv' : 'application/json', errors: ['not_found', 'price_list_swapped'],
        handler: serve(format),
      }),
    ),
  ];
}
