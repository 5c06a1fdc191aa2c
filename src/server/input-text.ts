/**
 * @module input-text
 * S3: the shared zod helpers for every string that comes in through the API and may reach the
 * database or MoySklad: trimmed, non-blank where required, no control characters, well-formed
 * Unicode (`textProblem`). The schemas of `api-schemas.ts` and `platform-schemas.ts` build their
 * string fields from these, so a new field gets the rules by using them.
 */
import { z } from 'zod';
import { TEXT_PROBLEM_MESSAGES, textProblem } from '../domain/text-hygiene.js';

export interface CleanTextOptions {
  /** Maximum length after trimming. */
  max: number;
  /** Minimum length after trimming (1 = non-blank, the default; 0 allows ''). */
  min?: number;
  /** Tab and line breaks allowed inside (comments, descriptions). */
  multiline?: boolean;
}

/** A trimmed, clean string: `cleanText({ max: 100 })` is required and non-blank. */
export function cleanText(options: CleanTextOptions) {
  const min = options.min ?? 1;
  return z
    .string()
    .superRefine((v, ctx) => {
      const problem = textProblem(v, { multiline: options.multiline ?? false });
      if (problem) ctx.addIssue({ code: 'custom', message: TEXT_PROBLEM_MESSAGES[problem], continue: false });
    })
    .trim()
    .min(min, min === 1 ? 'must not be blank' : `must have at least ${min} characters`)
    .max(options.max);
}

/** A required non-blank identifier or name (trimmed, one line). */
export const nonBlank = (max: number) => cleanText({ max });

/** An optional text that `null` clears; '' is allowed (one line unless `multiline`). */
export const optionalCleanText = (max: number, multiline = false) => cleanText({ max, min: 0, multiline }).nullable().optional();

/** A search term or filter in a query string: trimmed, clean, may be empty (= no filter). */
export const queryText = (max: number) => cleanText({ max, min: 0 }).optional();
