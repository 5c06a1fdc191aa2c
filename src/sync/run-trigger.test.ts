import { describe, expect, it } from 'vitest';
import { JOB_TRIGGERS } from '../queue/types.js';
import { runTriggerOf } from './run-trigger.js';

describe('runTriggerOf', () => {
  it('B9 every job trigger maps to the run trigger sync_runs records', () => {
    expect(Object.fromEntries(JOB_TRIGGERS.map((t) => [t, runTriggerOf(t)]))).toEqual({
      schedule: 'schedule',
      manual: 'manual',
      api: 'api',
      cli: 'cli',
      webhook: 'webhook',
      admin: 'manual',
      retry: 'schedule',
      test: 'manual',
      order: 'manual',
    });
  });
});
