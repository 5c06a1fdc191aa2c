/**
 * @module integrations.routes
 * The order-export options of a region's integration (R6, R7 with C6, C4) for the platform: read
 * them, and switch them. Credentials, organization and activation stay in the admin panel, which
 * checks them against MoySklad.
 */
import { z } from 'zod';
import { isPermissionProblemCode, jobFamilyOf, PROBLEM_TEXT } from '../../domain/permission-problem.js';
import { IntegrationProblemRepository } from '../../store/repositories/integration-problem-repository.js';
import { IntegrationRepository, type Integration } from '../../store/repositories/integration-repository.js';
import type { ApiDeps } from '../api-deps.js';
import { defineOperation, type ApiOperation } from '../api-router.js';
import { IdParams, IntegrationProblem, OrderOptions, OrderOptionsUpdate } from '../api-schemas.js';

const optionsOf = (i: Integration): z.infer<typeof OrderOptions> => ({
  integrationId: i.id,
  exportPurchaseOrders: i.exportPurchaseOrders,
  deleteRejectedPositions: i.deleteRejectedPositions,
  reservePositions: i.reservePositions,
});

export function integrationOperations(deps: ApiDeps): ApiOperation[] {
  const integrations = () => new IntegrationRepository(deps.db, deps.clock);
  return [
    defineOperation({
      method: 'get', path: '/integrations/:id/problems', operationId: 'listIntegrationProblems', tag: 'sync',
      summary: 'C10 what MoySklad refuses this integration (rights or tariff) and what to change in MoySklad; empty when all is well',
      params: IdParams, response: z.object({ items: z.array(IntegrationProblem) }), errors: ['not_found'],
      handler: async ({ params }) => {
        await integrations().get(params.id);
        const rows = await new IntegrationProblemRepository(deps.db, deps.clock).listOpen(params.id);
        return {
          items: rows.filter((r) => isPermissionProblemCode(r.code)).map((r) => ({
            family: jobFamilyOf(r.family),
            code: r.code as z.infer<typeof IntegrationProblem>['code'],
            msCode: r.msCode === null ? null : Number(r.msCode),
            message: r.message,
            messageEn: isPermissionProblemCode(r.code) ? PROBLEM_TEXT[r.code].en : r.message,
            detectedAt: r.detectedAt,
            lastSeenAt: r.lastSeenAt,
            retryAt: r.retryAt,
            occurrences: Number(r.occurrences),
          })),
        };
      },
    }),
    defineOperation({
      method: 'get', path: '/integrations/:id/order-options', operationId: 'getOrderOptions', tag: 'sync',
      summary: "The integration's order-export options: supplier orders (R6), deleting rejected positions and all-rejected orders (R7), reserving ordered goods (C4)",
      params: IdParams, response: OrderOptions, errors: ['not_found'],
      handler: async ({ params }) => optionsOf(await integrations().get(params.id)),
    }),
    defineOperation({
      method: 'patch', path: '/integrations/:id/order-options', operationId: 'updateOrderOptions', tag: 'sync',
      summary: "Switch the integration's order-export options; the next export of each order follows them",
      params: IdParams, body: OrderOptionsUpdate, response: OrderOptions, errors: ['not_found'],
      handler: async ({ params, body }) => {
        await integrations().get(params.id);
        const patch = Object.fromEntries(Object.entries(body).filter(([, v]) => v !== undefined));
        return optionsOf(await integrations().update(params.id, patch));
      },
    }),
  ];
}
