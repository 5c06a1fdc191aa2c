/**
 * @module run-trigger
 * The one conversion from why a job runs (`JobTrigger`, the queue's vocabulary) to what a sync run
 * records (`SyncTrigger`, `sync_runs.trigger`). `sync_runs` knows fewer triggers: an automatic
 * retry is recorded as `schedule`; `admin`, `test` and `order` (C4) as `manual`.
 */
import type { JobTrigger } from '../queue/types.js';
import type { SyncTrigger } from '../store/schema.js';

export function runTriggerOf(trigger: JobTrigger): SyncTrigger {
  switch (trigger) {
    case 'schedule':
    case 'retry':
      return 'schedule';
    case 'api':
      return 'api';
    case 'cli':
      return 'cli';
    case 'webhook':
      return 'webhook';
    case 'manual':
    case 'admin':
    case 'test':
    case 'order':
      return 'manual';
  }
}
