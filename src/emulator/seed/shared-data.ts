/**
 * @module shared-data
 * Finds and reads `shared/data/*.csv` (brands, part names with folder paths, tricky codes).
 * The folder is located by walking up from this module until `shared/data/brands.csv` exists,
 * unless `MSX_SHARED_DATA` points at it.
 */

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';

export interface BrandRow {
  brand: string;
  country: string;
  article_example: string;
}
export interface PartRow {
  category_path: string;
  name_ru: string;
  name_en: string;
}
export interface TrickyRow {
  code: string;
  article: string;
  expected_brand: string;
  expected_outcome: string;
  why: string;
}

export interface SharedData {
  dir: string;
  brands: BrandRow[];
  parts: PartRow[];
  tricky: TrickyRow[];
}

export function findSharedDataDir(env: NodeJS.ProcessEnv = process.env): string {
  const override = env.MSX_SHARED_DATA;
  if (override) {
    if (!existsSync(join(override, 'brands.csv'))) throw new Error(`MSX_SHARED_DATA=${override} has no brands.csv`);
    return resolve(override);
  }
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 12; i++) {
    const candidate = join(dir, 'shared', 'data');
    if (existsSync(join(candidate, 'brands.csv'))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new Error('shared/data not found above the emulator module; set MSX_SHARED_DATA');
}

function readCsv<T>(file: string): T[] {
  const text = readFileSync(file, 'utf8');
  const lines = text.split('\n').filter((l) => !l.startsWith('#')).join('\n');
  return parse(lines, { delimiter: ';', columns: true, skip_empty_lines: true, trim: false, relax_column_count: false }) as T[];
}

let cached: SharedData | undefined;

export function loadSharedData(): SharedData {
  if (cached) return cached;
  const dir = findSharedDataDir();
  cached = {
    dir,
    brands: readCsv<BrandRow>(join(dir, 'brands.csv')),
    parts: readCsv<PartRow>(join(dir, 'parts.csv')),
    tricky: readCsv<TrickyRow>(join(dir, 'tricky-codes.csv')),
  };
  return cached;
}
