import { describe, expect, it } from 'vitest';
import { companyTypeFor, matchCounterparty } from './counterparty-match.js';

describe('counterparty matching', () => {
  const a = { id: 'a', inn: '7701234567', email: 'a@shop.ru', phone: '+7 (912) 345-67-89' };
  const b = { id: 'b', inn: '7707654321', email: 'buyer@mail.ru', phone: '8 495 111 22 33' };
  const c = { id: 'c', email: 'Buyer@Mail.ru ', phone: '79160000000' };

  it('R25 INN beats email and phone', () => {
    expect(matchCounterparty({ kind: 'client', inn: '7707654321', email: 'a@shop.ru', phone: '+79123456789' }, [a, b, c])).toEqual({
      outcome: 'matched',
      by: 'inn',
      msId: 'b',
    });
  });

  it('R25 email beats phone when no INN matches', () => {
    expect(matchCounterparty({ kind: 'client', inn: '500100732259', email: ' A@SHOP.RU', phone: '79160000000' }, [a, c])).toEqual({
      outcome: 'matched',
      by: 'email',
      msId: 'a',
    });
  });

  it('B6 phones in +7 (912) 345-67-89, 8 912 345 67 89 and 79123456789 forms match', () => {
    for (const phone of ['8 912 345 67 89', '79123456789', '+7 912 3456789', '9123456789']) {
      expect(matchCounterparty({ kind: 'client', phone }, [a, b])).toEqual({ outcome: 'matched', by: 'phone', msId: 'a' });
    }
  });

  it('B6 one MoySklad field may hold several phones', () => {
    const multi = { id: 'm', phone: '+7 495 000-00-00, 8 (903) 111-22-33' };
    expect(matchCounterparty({ kind: 'client', phone: '+79031112233' }, [multi])).toMatchObject({ outcome: 'matched', msId: 'm' });
  });

  it('R25 two candidates on the same key are not linked: the decision is ambiguous', () => {
    const b2 = { ...b, id: 'b2', inn: undefined };
    const d = matchCounterparty({ kind: 'client', email: 'buyer@mail.ru' }, [b, c, b2]);
    expect(d).toEqual({ outcome: 'ambiguous', by: 'email', candidateIds: ['b', 'c', 'b2'] });
  });

  it('R25 an ambiguous key is narrowed by the lower-priority keys', () => {
    const d = matchCounterparty({ kind: 'client', email: 'buyer@mail.ru', phone: '+7 916 000 00 00' }, [b, c]);
    expect(d).toEqual({ outcome: 'matched', by: 'email', msId: 'c' });
  });

  it('R26 no match means none (the caller creates the counterparty)', () => {
    expect(matchCounterparty({ kind: 'client', email: 'new@x.ru' }, [a, b])).toEqual({ outcome: 'none', excludedByKind: [] });
    expect(matchCounterparty({ kind: 'client' }, [a, b])).toEqual({ outcome: 'none', excludedByKind: [] });
  });

  it('R27 a MoySklad counterparty linked to a supplier is never taken for a client', () => {
    const supplierLinked = { ...a, linkedKind: 'supplier' as const };
    expect(matchCounterparty({ kind: 'client', inn: a.inn }, [supplierLinked])).toEqual({ outcome: 'none', excludedByKind: ['a'] });
    expect(matchCounterparty({ kind: 'supplier', inn: a.inn }, [supplierLinked])).toMatchObject({ outcome: 'matched', msId: 'a' });
  });

  it('R26 company type follows the INN length unless declared', () => {
    expect(companyTypeFor('7701234567')).toBe('legal');
    expect(companyTypeFor('500100732259')).toBe('entrepreneur');
    expect(companyTypeFor(null)).toBe('individual');
    expect(companyTypeFor('7701234567', 'individual')).toBe('individual');
  });
});
