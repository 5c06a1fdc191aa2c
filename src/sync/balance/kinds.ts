/** @module sync/balance/kinds The job kind of the balance sync (R30; collected in src/sync/job-kinds.ts). */
export const BALANCE_KIND = 'balance';
export const BALANCE_JOB_KINDS = [BALANCE_KIND] as const;
