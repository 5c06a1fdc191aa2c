/**
 * @module moysklad/schemas/error
 * The error body `{errors:[{error, code, parameter?, moreInfo?, …}]}`.
 */
import { z } from 'zod';

export const errorEntrySchema = z.looseObject({
  error: z.string(),
  code: z.number().int().optional(),
  parameter: z.string().optional(),
  moreInfo: z.string().optional(),
  error_message: z.string().optional(),
  line: z.number().optional(),
  column: z.number().optional(),
});
export type MsErrorEntry = z.infer<typeof errorEntrySchema>;

export const errorBodySchema = z.looseObject({ errors: z.array(errorEntrySchema).min(1) });
export type MsErrorBody = z.infer<typeof errorBodySchema>;
