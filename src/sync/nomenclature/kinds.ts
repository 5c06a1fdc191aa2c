/** @module sync/nomenclature/kinds The job kinds of the nomenclature sync (R1, R19, R20; collected in src/sync/job-kinds.ts). */
export const NOMENCLATURE_FULL = 'nomenclature.full';
export const NOMENCLATURE_INCREMENTAL = 'nomenclature.incremental';
export const NOMENCLATURE_JOB_KINDS = [NOMENCLATURE_FULL, NOMENCLATURE_INCREMENTAL] as const;
