/** @module sync/orders/kinds The job kind that reads exported orders' status back from MoySklad (E7; collected in src/sync/job-kinds.ts). */
export const ORDER_STATUS_KIND = 'orders.status';
export const ORDER_STATUS_JOB_KINDS = [ORDER_STATUS_KIND] as const;
