import { describe, expect, it } from 'vitest';
import { buildFilter, buildOrder, buildQuery, escapeFilterText, filterValue } from './query.js';

describe('moysklad query building', () => {
  it('B3 formats dates in filters as Moscow time yyyy-MM-dd HH:mm:ss', () => {
    expect(filterValue(new Date('2026-11-29T09:00:00.750Z'))).toBe('2026-11-29 12:00:00');
    expect(buildFilter([['updated', '>=', new Date('2026-01-01T00:00:00Z')], ['archived', '=', false]])).toBe('updated>=2026-01-01 03:00:00;archived=false');
  });

  it('escapes ; inside values as \\; and uses hrefs for references', () => {
    expect(escapeFilterText('a;b;c')).toBe('a\\;b\\;c');
    expect(buildFilter([['name', '~', 'Масло; 5W-30'], ['agent', '=', { meta: { href: 'http://x/entity/counterparty/1' } }]])).toBe(
      'name~Масло\\; 5W-30;agent=http://x/entity/counterparty/1',
    );
    expect(buildFilter([['email', '=', null]])).toBe('email=');
  });

  it('builds order, expand, limit, offset, search with %20 for spaces (never +)', () => {
    expect(buildOrder([['name', 'desc'], 'code'])).toBe('name,desc;code');
    const q = buildQuery({ filter: [['updated', '>=', new Date('2026-11-29T09:00:00Z')]], order: 'updated,asc;id', expand: ['productFolder', 'images'], limit: 100, offset: 200, search: 'W 712' });
    expect(q).toBe(
      '?filter=updated%3E%3D2026-11-29%2012%3A00%3A00&order=updated%2Casc%3Bid&expand=productFolder%2Cimages&limit=100&offset=200&search=W%20712',
    );
    expect(new URLSearchParams(q.slice(1)).get('filter')).toBe('updated>=2026-11-29 12:00:00');
    expect(buildQuery({ filter: [], limit: undefined })).toBe('');
  });
});
