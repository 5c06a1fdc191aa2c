import { describe, expect, it } from 'vitest';
import { textProblem } from './text-hygiene.js';

describe('text hygiene', () => {
  it('S3 names control characters and lone surrogates, and passes clean text (Cyrillic, emoji, line breaks where allowed)', () => {
    const cases: [string, boolean, ReturnType<typeof textProblem>][] = [
      ['Масло моторное 5W-40', false, null],
      ['ok 🚗', false, null],
      ['a\u0000b', false, 'control_character'],
      ['a\u0007b', false, 'control_character'],
      ['a\u007fb', false, 'control_character'],
      ['a\u0085b', false, 'control_character'],
      ['line\nbreak', false, 'control_character'],
      ['line\nbreak\tand tab\r\n', true, null],
      ['nul\u0000in comment', true, 'control_character'],
      ['\ud800', false, 'malformed_unicode'],
      ['x\udc00y', false, 'malformed_unicode'],
      ['\ud83d', true, 'malformed_unicode'],
    ];
    expect(cases.map(([text, multiline]) => textProblem(text, { multiline }))).toEqual(cases.map(([, , want]) => want));
  });
});
