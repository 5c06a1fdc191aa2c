/** @module sync/categories/kinds The job kind of the category sync (R2, R23; collected in src/sync/job-kinds.ts). */
export const CATEGORIES_KIND = 'categories';
export const CATEGORY_JOB_KINDS = [CATEGORIES_KIND] as const;
