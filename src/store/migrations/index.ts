/**
 * @module migrations
 * Every migration, in order. A static map (not a folder scan) so that it works the same from
 * `tsx`, from compiled JS and in tests. To add one: create `NNNN_name.ts` exporting `up` (and
 * `down`), import it here and add it under its file name. Names sort lexically = run order.
 */
import type { Migration } from 'kysely';
import * as m0001 from './0001_initial.js';
import * as m0002 from './0002_jobs.js';

export const migrations: Record<string, Migration> = {
  '0001_initial': m0001,
  '0002_jobs': m0002,
};
