import { describe, expect, it } from 'vitest';
import { changedOwnedFields, counterpartyPutBody, type OwnedValues } from './counterparty-update.js';

const base: OwnedValues = { name: 'ООО Ромашка', inn: '7701234567', email: 'shop@example.ru', phone: '+7 912 345-67-89' };

describe('counterparty changes sent to MoySklad', () => {
  it('C11 only name, INN, e-mail and phone count; formatting-only INN changes do not', () => {
    expect(changedOwnedFields(base, { ...base })).toEqual([]);
    expect(changedOwnedFields(base, { ...base, name: ' ООО Ромашка ', inn: '77 0123 4567' })).toEqual([]);
    expect(changedOwnedFields(base, { ...base, phone: '8 912 000 00 00', name: 'ООО Ромашка и К' })).toEqual(['name', 'phone']);
    expect(changedOwnedFields(base, { ...base, email: null, inn: '500100732259' })).toEqual(['inn', 'email']);
  });

  it('C11 the PUT names only the changed fields, with current values; a cleared field is null', () => {
    const current: OwnedValues = { name: 'ООО Ромашка и К', inn: ' 7701234567 ', email: null, phone: ' 8 912 000 00 00 ' };
    expect(counterpartyPutBody(['phone', 'email'], current)).toEqual({ email: null, phone: '8 912 000 00 00' });
    expect(counterpartyPutBody(['inn', 'name'], current)).toEqual({ name: 'ООО Ромашка и К', inn: '7701234567' });
    expect(counterpartyPutBody([], current)).toEqual({});
  });

  it('C11 a name is never cleared (MoySklad requires one)', () => {
    expect(counterpartyPutBody(['name', 'email'], { ...base, name: '  ', email: 'new@example.ru' })).toEqual({ email: 'new@example.ru' });
  });
});
