/**
 * @module text-hygiene
 * S3: what a text coming from outside must not contain before it is stored or sent to MoySklad:
 * control characters (C0 and C1, DEL; tab/line breaks only where text may span lines) and malformed
 * UTF-16 (a lone surrogate, which would be silently changed on the way to the database).
 */

// eslint-disable-next-line no-control-regex -- control characters are what is refused
const CONTROL_SINGLE_LINE = /[\u0000-\u001f\u007f-\u009f]/;
// eslint-disable-next-line no-control-regex -- as above, but tab, LF and CR are allowed
const CONTROL_MULTI_LINE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;

/** Lone surrogates: a high one not followed by a low one, or a low one not preceded by a high one. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

export type TextProblem = 'control_character' | 'malformed_unicode';

/** Why `text` may not be stored, or null when it is clean. */
export function textProblem(text: string, options: { multiline?: boolean } = {}): TextProblem | null {
  if (LONE_SURROGATE.test(text)) return 'malformed_unicode';
  if ((options.multiline ? CONTROL_MULTI_LINE : CONTROL_SINGLE_LINE).test(text)) return 'control_character';
  return null;
}

/** The message a client reads for a problem. */
export const TEXT_PROBLEM_MESSAGES: Record<TextProblem, string> = {
  control_character: 'must not contain control characters',
  malformed_unicode: 'must be well-formed Unicode (no lone surrogates)',
};
