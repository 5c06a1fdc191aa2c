import { describe, expect, it } from 'vitest';
import { BrandSynonyms } from './brand-synonyms.js';
import { chooseCard, lineKey, type CardCandidate } from './product-match.js';

const synonyms = new BrandSynonyms([
  { group: 'mahle-knecht', brand: 'MAHLE' },
  { group: 'mahle-knecht', brand: 'KNECHT' },
]);

const card = (msId: string, brand: string, article: string, extra: Partial<CardCandidate> = {}): CardCandidate => ({
  msId,
  brand,
  article,
  kind: 'product',
  archived: false,
  clean: true,
  ...extra,
});

describe('chooseCard', () => {
  it('C1 with KNECHT OC90 and MAHLE OC90 both present, each line gets the card of its own brand', () => {
    const cards = [card('mahle', 'MAHLE', 'OC90'), card('knecht', 'KNECHT', 'OC 90')];
    expect(chooseCard({ brand: 'KNECHT', article: 'OC-90' }, cards, synonyms)).toEqual({ msId: 'knecht', kind: 'product', via: 'exact' });
    expect(chooseCard({ brand: 'mahle', article: 'oc90' }, cards, synonyms)).toEqual({ msId: 'mahle', kind: 'product', via: 'exact' });
  });

  it('C1 with only MAHLE OC90 present, a KNECHT OC 90 line falls back to it through the synonym group', () => {
    expect(chooseCard({ brand: 'KNECHT', article: 'OC 90' }, [card('mahle', 'MAHLE', 'OC90')], synonyms)).toEqual({ msId: 'mahle', kind: 'product', via: 'synonym' });
  });

  it('C1 an archived or skipped exact card still wins over another brand; within one step clean and active cards come first', () => {
    const cards = [card('mahle', 'MAHLE', 'OC90'), card('knecht-old', 'KNECHT', 'OC90', { archived: true }), card('knecht-dup', 'KNECHT', 'OC90', { clean: false })];
    expect(chooseCard({ brand: 'KNECHT', article: 'OC90' }, cards, synonyms)).toEqual({ msId: 'knecht-dup', kind: 'product', via: 'exact' });
    expect(chooseCard({ brand: 'KNECHT', article: 'OC90' }, cards.slice(0, 2), synonyms)).toEqual({ msId: 'knecht-old', kind: 'product', via: 'exact' });
  });

  it('C1 no card of the brand or its group, or another article: no choice (the resolver asks MoySklad or creates)', () => {
    const cards = [card('mann', 'MANN-FILTER', 'OC90'), card('mahle-2', 'MAHLE', 'OC91')];
    expect(chooseCard({ brand: 'MAHLE', article: 'OC90' }, cards, synonyms)).toBeNull();
  });

  it('C2 the kind of the chosen card is kept (a variant is a variant)', () => {
    expect(chooseCard({ brand: 'LIQUI MOLY', article: '7536-4' }, [card('v1', 'LIQUI MOLY', '7536-4', { kind: 'variant' })], synonyms)).toEqual({ msId: 'v1', kind: 'variant', via: 'exact' });
  });

  it('C2 variants catalogued from their parent\'s Code share its brand and article: the line\'s name tells them apart', () => {
    const cards = [
      card('parent', 'LIQUI MOLY', '7536', { name: 'Масло моторное' }),
      card('v1', 'LIQUI MOLY', '7536', { kind: 'variant', name: 'Масло моторное (1 л)' }),
      card('v4', 'LIQUI MOLY', '7536', { kind: 'variant', name: 'Масло моторное (4 л)' }),
    ];
    const pick = (name?: string) => chooseCard({ brand: 'LIQUI MOLY', article: '7536', ...(name === undefined ? {} : { name }) }, cards, synonyms);
    expect([pick(' масло моторное  (4 л) '), pick('Масло моторное (1 л)'), pick('Масло моторное'), pick('что-то другое'), pick()]).toEqual([
      { msId: 'v4', kind: 'variant', via: 'exact' },
      { msId: 'v1', kind: 'variant', via: 'exact' },
      { msId: 'parent', kind: 'product', via: 'exact' },
      { msId: 'parent', kind: 'product', via: 'exact' },
      { msId: 'parent', kind: 'product', via: 'exact' },
    ]);
  });

  it('C1 lines are cached by price list, exact brand, article and name (synonym spellings are different lines)', () => {
    expect([lineKey({ brand: 'Knecht ', article: 'oc 90' }), lineKey({ brand: 'MAHLE', article: 'OC90', priceListId: 3, name: ' Фильтр  OC90' })]).toEqual(['|KNECHT|OC90|', '3|MAHLE|OC90|фильтр oc90']);
  });
});
