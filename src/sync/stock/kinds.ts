/** @module sync/stock/kinds The job kinds of the stock sync (R12, B3; collected in src/sync/job-kinds.ts). */
export const STOCK_FULL_KIND = 'stock.full';
export const STOCK_INCREMENTAL_KIND = 'stock.incremental';
export const STOCK_JOB_KINDS = [STOCK_FULL_KIND, STOCK_INCREMENTAL_KIND] as const;
