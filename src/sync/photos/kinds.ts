/** @module sync/photos/kinds The job kind of the photo sync (collected in src/sync/job-kinds.ts). */
export const PHOTOS_KIND = 'photos';
export const PHOTO_JOB_KINDS = [PHOTOS_KIND] as const;
