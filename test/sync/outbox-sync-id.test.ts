import { describe, expect, it } from 'vitest';
import { derivedSyncId } from '../../src/sync/outbox/derived-sync-id.js';
import { counterpartySyncId } from '../../src/sync/counterparties/counterparty-export.js';
import { productSyncId } from '../../src/sync/orders/product-resolver.js';
import { shippedBrandSynonyms } from '../../src/sync/orders/shipped-brand-synonyms.js';

describe('derived syncIds', () => {
  it('B1 are stable UUIDs per store identity, different per kind and key', () => {
    const id = derivedSyncId('counterparty', 'client:C-1');
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(derivedSyncId('counterparty', 'client:C-1')).toBe(id);
    expect(derivedSyncId('counterparty', 'supplier:C-1')).not.toBe(id);
    expect(derivedSyncId('product', 'client:C-1')).not.toBe(id);
    expect(counterpartySyncId({ kind: 'client', externalId: 'C-1' })).toBe(id);
  });

  it('R20 one product syncId for every spelling of a part (synonym brands, article punctuation)', () => {
    const s = shippedBrandSynonyms();
    expect(s.size).toBeGreaterThan(0);
    const id = productSyncId(s, 'MAHLE', 'OC90');
    expect(productSyncId(s, 'KNECHT', 'OC 90')).toBe(id);
    expect(productSyncId(s, 'mahle', 'oc-90')).toBe(id);
    expect(productSyncId(s, 'MANN-FILTER', 'OC90')).not.toBe(id);
  });
});
