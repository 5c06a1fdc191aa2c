/** @module moysklad/schemas/organization — the account's own legal entities (§4.1). */
import { z } from 'zod';
import { metaSchema } from './meta.js';

export const organizationSchema = z.looseObject({
  meta: metaSchema,
  id: z.string(),
  name: z.string(),
  code: z.string().optional(),
  externalCode: z.string().optional(),
  archived: z.boolean().optional(),
  companyType: z.string().optional(),
  inn: z.string().optional(),
  kpp: z.string().optional(),
  legalTitle: z.string().optional(),
  updated: z.string().optional(),
});
export type MsOrganization = z.infer<typeof organizationSchema>;
