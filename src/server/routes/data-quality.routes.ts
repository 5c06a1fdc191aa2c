/**
 * @module data-quality.routes
 * E4 the data-quality report (B5) through the API: MoySklad products and variants that are not
 * synced and why — the reason code (closed union `DATA_QUALITY_REASONS`), its Russian text, the
 * MoySklad id and a link to the card in MoySklad's web UI; paged, filterable by reason.
 */
import type { z } from 'zod';
import { moyskladCardUrl } from '../../domain/moysklad-links.js';
import { DataQualityRepository } from '../../store/repositories/data-quality-repository.js';
import type { Selectable } from 'kysely';
import type { DataQualityIssuesTable } from '../../store/schema.js';
import { dataQualityReasonText } from '../../sync/nomenclature/data-quality-texts.js';
import type { DataQualityReason } from '../../sync/nomenclature/product-mapper.js';
import type { ApiDeps } from '../api-deps.js';
import { defineOperation, type ApiOperation } from '../api-router.js';
import { Page } from '../api-schemas.js';
import { NotFoundError } from '../../core/errors.js';
import { CatalogScopeRepository } from '../../store/repositories/catalog-scope-repository.js';
import { IntegrationRepository } from '../../store/repositories/integration-repository.js';
import { PriceListIssueRepository } from '../../store/repositories/price-list-issue-repository.js';
import { DataQualityIssue, DataQualityQuery, PriceListIssue, PriceListIssueQuery } from '../platform-schemas.js';

export function issueToApi(r: Selectable<DataQualityIssuesTable>): z.infer<typeof DataQualityIssue> {
  const msType = r.msType === 'variant' ? 'variant' : 'product';
  return {
    id: Number(r.id),
    reason: r.reason as DataQualityReason,
    reasonText: dataQualityReasonText(r.reason, 'ru'),
    message: r.message,
    msId: r.msProductId,
    msType,
    msUrl: moyskladCardUrl(r.msProductId, msType),
    msAccountId: Number(r.msAccountId),
    code: r.code,
    article: r.article,
    name: r.name,
    detectedAt: r.detectedAt,
  };
}

export function dataQualityOperations(deps: ApiDeps): ApiOperation[] {
  const scope = new CatalogScopeRepository(deps.db, deps.clock);
  const integrationOf = async (id: number | undefined) => {
    if (id === undefined) return undefined;
    const root = await scope.rootOf(id);
    if (!root) throw new NotFoundError('integration', id);
    return root;
  };
  return [
    defineOperation({
      method: 'get', path: '/catalog/issues', operationId: 'listDataQualityIssues', tag: 'catalog',
      summary: 'The data-quality report: MoySklad products not synced and why (reason code, Russian text, MoySklad id, web UI link), newest first, paged; filter by reason',
      query: DataQualityQuery, response: Page(DataQualityIssue), errors: ['not_found'],
      handler: async ({ query }) => {
        const integration = await integrationOf(query.integrationId);
        const { items, total } = await new DataQualityRepository(deps.db, deps.clock).page({ ...(query.reason ? { reason: query.reason } : {}), ...(integration ? { integration } : {}), limit: query.limit, offset: query.offset });
        return { items: items.map(issueToApi), total, limit: query.limit, offset: query.offset };
      },
    }),
    defineOperation({
      method: 'get', path: '/catalog/price-list-issues', operationId: 'listPriceListIssues', tag: 'catalog',
      summary: 'E4 the price-list part of the data-quality report: products a price list left out and why (e.g. no price), newest first, paged; filter by reason, price list or integration',
      query: PriceListIssueQuery, response: Page(PriceListIssue), errors: ['not_found'],
      handler: async ({ query }) => {
        const integration = await integrationOf(query.integrationId);
        const regionId = integration ? Number((await new IntegrationRepository(deps.db, deps.clock).get(integration.integrationId)).regionId) : undefined;
        const { items, total } = await new PriceListIssueRepository(deps.db, deps.clock).page({
          ...(query.reason ? { reason: query.reason } : {}),
          ...(query.priceListId ? { priceListId: query.priceListId } : {}),
          ...(regionId !== undefined ? { regionId } : {}),
          limit: query.limit,
          offset: query.offset,
        });
        return {
          items: items.map((r) => ({
            id: Number(r.id),
            priceListId: Number(r.priceListId),
            reason: r.reason,
            reasonText: dataQualityReasonText(r.reason, 'ru'),
            msId: r.msProductId,
            msUrl: moyskladCardUrl(r.msProductId, r.msType),
            productId: r.productId === null ? null : Number(r.productId),
            brand: r.brand,
            article: r.article,
            name: r.name,
            detectedAt: r.detectedAt,
          })),
          total,
          limit: query.limit,
          offset: query.offset,
        };
      },
    }),
  ];
}
