/**
 * The OpenAPI document with the platform-side operations validates with a real validator
 * (@apidevtools/swagger-parser, OpenAPI 3.1), and each of them is in it.
 */
import SwaggerParser from '@apidevtools/swagger-parser';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { API_ERROR_CODES, API_ERROR_STATUS, type ApiErrorCode } from '../../src/core/error-codes.js';
import { defineOperation } from '../../src/server/api-router.js';
import { buildOpenApiDocument } from '../../src/server/openapi.js';
import { apiOperations, APP_VERSION } from '../../src/server/app.js';
import { API_PREFIX } from '../../src/server/api-deps.js';
import { SyncRegistry } from '../../src/sync/sync-registry.js';
import type { Kysely } from 'kysely';
import type { Database } from '../../src/store/schema.js';

const doc = buildOpenApiDocument(
  apiOperations({ db: {} as Kysely<Database>, clock: new ManualClock(), enqueuer: { enqueue: async () => ({ jobId: '', merged: false }) }, syncs: new SyncRegistry(), publicBaseUrl: 'http://shop.test' }),
  API_PREFIX,
  APP_VERSION,
);

describe('OpenAPI document', () => {
  it('E3 validates with swagger-parser and holds the webhook subscription and delivery operations', async () => {
    await expect(SwaggerParser.validate(structuredClone(doc) as never)).resolves.toBeDefined();
    expect(Object.keys(doc.paths).filter((p) => p.includes('webhook')).sort()).toEqual([
      '/api/v1/webhook-deliveries/{id}/resend',
      '/api/v1/webhook-subscriptions',
      '/api/v1/webhook-subscriptions/{id}',
      '/api/v1/webhook-subscriptions/{id}/deliveries',
      '/api/v1/webhook-subscriptions/{id}/rotate-secret',
    ]);
    expect((doc.components.schemas.WebhookEventType as { enum: string[] }).enum).toEqual([
      'order.exported', 'order.failed', 'order.position_deleted', 'order.status_changed', 'product.changed', 'product.deleted', 'price_list.updated', 'balance.updated',
    ]);
  });

  it('E4 documents GET /api/v1/catalog/issues with its reason and integration filters, and the price-list issues', () => {
    const op = doc.paths['/api/v1/catalog/issues']!.get as { parameters: Array<{ name: string }> };
    expect(op.parameters.map((p) => p.name)).toEqual(['limit', 'offset', 'reason', 'integrationId']);
    const pl = doc.paths['/api/v1/catalog/price-list-issues']!.get as { parameters: Array<{ name: string }> };
    expect(pl.parameters.map((p) => p.name)).toEqual(['limit', 'offset', 'reason', 'priceListId', 'integrationId']);
  });

  it('E5 documents the public feed URLs outside /api/v1, without bearer auth', () => {
    for (const p of ['/feeds/{token}/price-list.csv', '/feeds/{token}/price-list.json']) {
      const op = doc.paths[p]!.get as { security: unknown[]; responses: Record<string, unknown> };
      expect(op.security).toEqual([]);
      expect(Object.keys(op.responses).sort()).toEqual(['200', '404', '409']);
    }
    expect(Object.keys(doc.paths['/api/v1/price-lists/{id}/feed']!).sort()).toEqual(['delete', 'get', 'post']);
  });

  it('E6 documents the text search (q) of products, price-list rows, clients, suppliers and orders', () => {
    for (const p of ['/api/v1/catalog/products', '/api/v1/price-lists/{id}/rows', '/api/v1/clients', '/api/v1/suppliers', '/api/v1/orders']) {
      const op = doc.paths[p]!.get as { parameters: Array<{ name: string; description?: string }> };
      expect(op.parameters.find((x) => x.name === 'q')?.description, p).toMatch(/any case/);
    }
  });

  it('E1 validates with swagger-parser and documents the catalog change feed with its cursor, upserts and tombstones', async () => {
    await expect(SwaggerParser.validate(structuredClone(doc) as never)).resolves.toBeDefined();
    const op = doc.paths['/api/v1/catalog/changes']!.get as { parameters: Array<{ name: string }> };
    expect(op.parameters.map((p) => p.name)).toEqual(['after', 'limit', 'integrationId']);
    expect(Object.keys(doc.components.schemas)).toEqual(expect.arrayContaining(['CatalogChange', 'CatalogChangePage', 'TombstoneReason']));
    expect((doc.components.schemas.TombstoneReason as { enum: string[] }).enum).toEqual(['deleted', 'archived', 'not_synced']);
  });

  it('E7 documents the MoySklad state and shipped quantities of an order', () => {
    const order = doc.components.schemas.Order as { properties: Record<string, unknown> };
    const position = doc.components.schemas.OrderPosition as { properties: Record<string, unknown> };
    expect(Object.keys(order.properties)).toEqual(expect.arrayContaining(['msStateName', 'msStateChangedAt']));
    expect(Object.keys(position.properties)).toContain('shippedQuantity');
  });

  it('E2 documents the price-list row change feed', () => {
    const op = doc.paths['/api/v1/price-lists/{id}/changes']!.get as { parameters: Array<{ name: string }> };
    expect(op.parameters.map((p) => p.name)).toEqual(['id', 'after', 'limit']);
    expect(Object.keys(doc.components.schemas)).toEqual(expect.arrayContaining(['PriceListRowChange', 'PriceListChangePage']));
  });

  it('S2 the Error schema names the closed list of codes, and each documented error status is the one its codes are answered with', () => {
    const error = doc.components.schemas.Error as { properties: { error: { properties: { code: { enum: string[] } } } } };
    expect(error.properties.error.properties.code.enum).toEqual(API_ERROR_CODES);
    for (const methods of Object.values(doc.paths)) {
      for (const op of Object.values(methods) as Array<{ responses: Record<string, { description: string }> }>) {
        for (const [status, r] of Object.entries(op.responses)) {
          if (!r.description.startsWith('Error codes: ')) continue;
          const codes = r.description.slice('Error codes: '.length).split(', ') as ApiErrorCode[];
          expect(codes.map((c) => String(API_ERROR_STATUS[c]))).toEqual(codes.map(() => status));
        }
      }
    }
  });

  it('S2 an operation that calls MoySklad while answering documents 503 (rate limited, unreachable, timed out) and 502 (anything else); the document validates', async () => {
    const op = defineOperation({
      method: 'get', path: '/upstream', operationId: 'upstream', tag: 'test', summary: 'reads MoySklad',
      errors: ['moysklad_rate_limited', 'moysklad_unreachable', 'moysklad_timeout', 'moysklad_server_error', 'moysklad_auth_failed'],
      handler: () => ({}),
    });
    const withUpstream = buildOpenApiDocument([op], API_PREFIX, APP_VERSION);
    const responses = (withUpstream.paths['/api/v1/upstream']!.get as { responses: Record<string, { description: string }> }).responses;
    expect(Object.fromEntries(Object.entries(responses).map(([s, r]) => [s, r.description]))).toEqual({
      '200': 'OK',
      '401': 'Error codes: unauthorized',
      '503': 'Error codes: moysklad_rate_limited, moysklad_unreachable, moysklad_timeout',
      '502': 'Error codes: moysklad_server_error, moysklad_auth_failed',
    });
    await expect(SwaggerParser.validate(structuredClone(withUpstream) as never)).resolves.toBeDefined();
  });
});
