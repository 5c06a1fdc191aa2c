import { describe, expect, it } from 'vitest';
import { containsPattern, foldForSearch, searchTextOf } from './search-text.js';

describe('search text', () => {
  it('E6 folds Cyrillic and Latin case, ё, full-width forms and whitespace the same way', () => {
    expect(['МАСЛО Моторное', 'масло  моторное', 'Масло\tМоторное'].map(foldForSearch)).toEqual(['масло моторное', 'масло моторное', 'масло моторное']);
    expect(foldForSearch('ПЕТРОВ Пётр')).toBe('петров петр');
    expect(foldForSearch('ＭＡＨＬＥ ＯＣ９０')).toBe('mahle oc90');
    expect(foldForSearch('АБ-12Ca')).toBe('аб-12ca');
    expect(foldForSearch(null)).toBe('');
  });

  it('E6 the stored column joins the folded fields, skipping empty ones and ones the text already contains', () => {
    expect(searchTextOf('MAHLE', 'OC 90', null, 'Фильтр МАСЛЯНЫЙ')).toBe('mahle oc 90 фильтр масляный');
    expect(searchTextOf('Фильтр масляный MAHLE OC 90', 'MAHLE OC 90', 'MAHLE', 'OC 90')).toBe('фильтр масляный mahle oc 90');
    expect(searchTextOf('Фильтр масляный', 'MAHLE OC 90', 'MAHLE', 'OC 90')).toBe('фильтр масляный mahle oc 90');
  });

  it('E6 LIKE metacharacters in a query are escaped so they match themselves', () => {
    expect(containsPattern('50%_Масло\\x')).toBe('%50\\%\\_масло\\\\x%');
    expect(containsPattern('   ')).toBeNull();
  });
});

describe('search text fast path', () => {
  it('E6 text outside ASCII and Cyrillic is NFKC-normalized (no-break space, superscripts, decomposed й), the rest is unchanged', () => {
    expect(foldForSearch('Масло\u00a05W\u201140 ²')).toBe('масло 5w\u201040 2');
    expect(foldForSearch('Чаи\u0306ник')).toBe('чайник');
    expect(searchTextOf('  MAHLE ', '', 'OC  90 ')).toBe('mahle oc 90');
  });
});
