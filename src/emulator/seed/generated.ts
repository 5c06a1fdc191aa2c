/**
 * @module generated
 * N products made deterministically from a seed number (benchmarks: 100,000 in a few seconds).
 */

import type { EmulatorAccount } from '../state/account.js';
import { createRng, intBetween, rngUuid } from '../state/ids.js';
import { articleLike, buildFolders, randomPrice, seedOrganizations, seedStores, seededProduct, sharedRefs } from './catalog.js';
import { loadSharedData } from './shared-data.js';

export interface GeneratedSpec {
  products: number;
  seed: number;
  stores?: number;
}

export function seedGenerated(a: EmulatorAccount, spec: GeneratedSpec): void {
  const data = loadSharedData();
  const rng = createRng(spec.seed);
  const idRng = createRng(spec.seed ^ 0x9e3779b9);
  const runtimeIds = a.ids;
  a.ids = () => rngUuid(idRng);
  try {
    seedOrganizations(a, rng);
    const storeIds = seedStores(a, spec.stores ?? 3);
    const folders = buildFolders(a, data.parts);
    const refs = sharedRefs(a);
    const codes = new Set<string>();
    const brands = data.brands;
    const parts = data.parts;
    for (let i = 0; i < spec.products; i++) {
      const b = brands[intBetween(rng, 0, brands.length - 1)] ?? brands[0];
      const part = parts[intBetween(rng, 0, parts.length - 1)] ?? parts[0];
      if (!b || !part) break;
      let article = articleLike(rng, b.article_example);
      let extra = 0;
      while (codes.has(`${b.brand} ${article}`)) article = articleLike(rng, b.article_example, ++extra > 6 ? 6 + Math.floor(extra / 4) : extra);
      const code = `${b.brand} ${article}`;
      codes.add(code);
      const e = a.insert('product', seededProduct(refs, { name: `${part.name_ru} ${code}`, code, article, folderId: folders.get(part.category_path), price: randomPrice(rng), externalCode: `gen-${i + 1}` }));
      const nStores = intBetween(rng, 1, storeIds.length);
      for (let s = 0; s < nStores; s++) {
        const storeId = storeIds[s] as string;
        const stock = intBetween(rng, 0, 50);
        a.touchStock(e.id, storeId, { stock, reserve: stock > 2 && rng() < 0.1 ? 1 : 0, inTransit: 0 });
      }
    }
  } finally {
    a.ids = runtimeIds;
  }
}
