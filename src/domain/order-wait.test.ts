import { describe, expect, it } from 'vitest';
import { orderWaitReason, type OrderWaitFacts } from './order-wait.js';

const base: OrderWaitFacts = { exportState: 'pending', hasIntegration: true, integrationActive: true, exportProblem: false, counterpartyAmbiguous: false, nextRetryAt: null };

describe('order wait reason', () => {
  it('B1 names the first reason an order waits, none once exported', () => {
    expect(
      [
        { exportState: 'sent' as const },
        { hasIntegration: false, integrationActive: false },
        { integrationActive: false, counterpartyAmbiguous: true },
        { exportProblem: true, counterpartyAmbiguous: true },
        { counterpartyAmbiguous: true, nextRetryAt: '2026-12-03T10:00:00.000Z' },
        { exportState: 'failed' as const, nextRetryAt: '2026-12-03T10:00:00.000Z' },
        { nextRetryAt: '2026-12-03T10:00:00.000Z' },
        {},
      ].map((f) => orderWaitReason({ ...base, ...f })),
    ).toEqual([null, 'no_integration', 'integration_inactive', 'integration_problem', 'counterparty_ambiguous', 'failed', 'retry_scheduled', 'queued']);
  });
});
