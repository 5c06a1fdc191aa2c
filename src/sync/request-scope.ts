/**
 * @module request-scope
 * Attributes MoySklad requests to the sync run that made them. One client serves every
 * integration of a credential, possibly several runs at once, so a run cannot read the
 * client's global counters; instead the run executes inside an AsyncLocalStorage scope and the
 * client's `onRequest` hook adds to the current scope's counter.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { RequestEvent } from '../moysklad/client.js';

export interface RequestTally {
  requests: number;
  rateLimited: number;
  serverErrors: number;
  networkErrors: number;
}

const storage = new AsyncLocalStorage<RequestTally>();

export const newTally = (): RequestTally => ({ requests: 0, rateLimited: 0, serverErrors: 0, networkErrors: 0 });

/** Runs `fn` with a fresh tally that every MoySklad request made inside it adds to. */
export function withRequestTally<T>(tally: RequestTally, fn: () => Promise<T>): Promise<T> {
  return storage.run(tally, fn);
}

/** The client `onRequest` hook: counts the event into the current run's tally, if any. */
export function tallyRequest(event: RequestEvent): void {
  const tally = storage.getStore();
  if (!tally) return;
  tally.requests += 1;
  if (event.outcome === 'rate_limited') tally.rateLimited += 1;
  if (event.outcome === 'server_error') tally.serverErrors += 1;
  if (event.outcome === 'network_error' || event.outcome === 'timeout') tally.networkErrors += 1;
}
