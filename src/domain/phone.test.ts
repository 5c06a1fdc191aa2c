import { describe, expect, it } from 'vitest';
import { normalizePhone, phoneKeys } from './phone.js';

describe('phone normalization (libphonenumber-js)', () => {
  it('C13 Russian numbers in every common spelling become one E.164 key', () => {
    const spellings = ['+7 (912) 345-67-89', '8 912 345 67 89', '89123456789', '79123456789', '7-912-345-6789', '9123456789', '+7 912 3456789', '8(912)345.67.89'];
    expect(spellings.map((s) => normalizePhone(s))).toEqual(spellings.map(() => '+79123456789'));
  });

  it('C13 a Moscow landline with and without +7 matches (the issue: 495 331 22 33)', () => {
    expect([normalizePhone('495 331 22 33'), normalizePhone('+7 495 331 22 33'), normalizePhone('8 (495) 331-22-33')]).toEqual(['+74953312233', '+74953312233', '+74953312233']);
  });

  it('C13 an extension is ignored for matching (доб., ext., x, #)', () => {
    const withExt = ['+7 495 331 22 33 доб. 12', '8 495 331-22-33 доб 7', '+7 495 331-22-33 ext. 12', '+7 495 331-22-33 x12', '84953312233#5', '+7 495 331 22 33 добавочный 104'];
    expect(withExt.map((s) => normalizePhone(s))).toEqual(withExt.map(() => '+74953312233'));
  });

  it("C13 the region's country decides how a number without + is read (CIS)", () => {
    expect({
      by: normalizePhone('8 029 123 45 67', 'BY'),
      byIntl: normalizePhone('+375 29 123-45-67', 'RU'),
      kz: normalizePhone('8 701 123 4567', 'KZ'),
      kzNoPlus: normalizePhone('7 701 123 4567', 'KZ'),
      ruInKz: normalizePhone('7 912 345 67 89', 'KZ'),
      uz: normalizePhone('90 123 45 67', 'UZ'),
      unknownCountry: normalizePhone('8 912 345 67 89', 'XX'),
      notGuessedAbroad: normalizePhone('495 331 22 33', 'BY'),
      byWithoutPlus: normalizePhone('375 29 123 45 67', 'BY'),
    }).toEqual({
      by: '+375291234567',
      byIntl: '+375291234567',
      kz: '+77011234567',
      kzNoPlus: '+77011234567',
      ruInKz: '+79123456789',
      uz: '+998901234567',
      unknownCountry: '+79123456789',
      notGuessedAbroad: null,
      byWithoutPlus: '+375291234567',
    });
  });

  it('C13 what cannot be a valid number has no key (never a false match)', () => {
    expect(['', '   ', 'нет', '123', '2 345 67 89', '+7 (000) 000-00-00', '12345678901234567', null, undefined].map((s) => normalizePhone(s))).toEqual([null, null, null, null, null, null, null, null, null]);
  });

  it('C13 a MoySklad field with several numbers gives the key of each, once', () => {
    expect(phoneKeys('+7 (912) 345-67-89, 8 495 331 22 33; 89123456789;  мусор')).toEqual(['+79123456789', '+74953312233']);
  });
});
