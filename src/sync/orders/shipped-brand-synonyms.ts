/**
 * @module shipped-brand-synonyms
 * The brand synonym table that ships with the project (`shared/data/brand-synonyms.csv`, see
 * `BrandSynonyms`), found by walking up from this module (works from `src/` with tsx and from a
 * compiled `dist/`). `MSX_SHARED_DATA` points elsewhere. Read once per process.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BrandSynonyms, noBrandSynonyms } from '../../domain/brand-synonyms.js';

const FILE = 'brand-synonyms.csv';
let loaded: BrandSynonyms | undefined;

/** The path of the shipped table, or null when it cannot be found. */
export function shippedBrandSynonymsPath(env: NodeJS.ProcessEnv = process.env): string | null {
  if (env.MSX_SHARED_DATA) {
    const p = join(env.MSX_SHARED_DATA, FILE);
    return existsSync(p) ? p : null;
  }
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 12; i++) {
    const p = join(dir, 'shared', 'data', FILE);
    if (existsSync(p)) return p;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return null;
}

/** The shipped synonyms (no synonyms at all when the file is missing: brands then match by spelling only). */
export function shippedBrandSynonyms(): BrandSynonyms {
  if (!loaded) {
    const path = shippedBrandSynonymsPath();
    loaded = path ? BrandSynonyms.fromCsv(readFileSync(path, 'utf8')) : noBrandSynonyms;
  }
  return loaded;
}
