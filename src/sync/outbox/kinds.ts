/** @module sync/outbox/kinds The job kind that drains the outbox (order and counterparty export; collected in src/sync/job-kinds.ts). */
export const OUTBOX_KIND = 'outbox';
export const OUTBOX_JOB_KINDS = [OUTBOX_KIND] as const;
