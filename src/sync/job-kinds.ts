/**
 * @module sync/job-kinds
 * Every job kind, collected from the sync modules that define them (each exports its own from a
 * `kinds.ts` without imports, so the queue can name the type without depending on the syncs' code).
 * `JobKind` is a closed union: enqueueing or registering a kind that no sync defines does not compile.
 */
import { BALANCE_JOB_KINDS } from './balance/kinds.js';
import { CATEGORY_JOB_KINDS } from './categories/kinds.js';
import { NOMENCLATURE_JOB_KINDS } from './nomenclature/kinds.js';
import { ORDER_STATUS_JOB_KINDS } from './orders/kinds.js';
import { OUTBOX_JOB_KINDS } from './outbox/kinds.js';
import { PHOTO_JOB_KINDS } from './photos/kinds.js';
import { WEBHOOK_DELIVERY_JOB_KINDS } from './platform-webhooks/kinds.js';
import { STOCK_JOB_KINDS } from './stock/kinds.js';
import { WEBHOOK_JOB_KINDS } from './webhooks/kinds.js';

export const ALL_JOB_KINDS = [
  ...NOMENCLATURE_JOB_KINDS,
  ...CATEGORY_JOB_KINDS,
  ...PHOTO_JOB_KINDS,
  ...STOCK_JOB_KINDS,
  ...OUTBOX_JOB_KINDS,
  ...ORDER_STATUS_JOB_KINDS,
  ...BALANCE_JOB_KINDS,
  ...WEBHOOK_DELIVERY_JOB_KINDS,
  ...WEBHOOK_JOB_KINDS,
] as const;

export type JobKind = (typeof ALL_JOB_KINDS)[number];

const known: ReadonlySet<string> = new Set(ALL_JOB_KINDS);

/** Narrows a kind read from the database or a command line. */
export function isJobKind(kind: string): kind is JobKind {
  return known.has(kind);
}
