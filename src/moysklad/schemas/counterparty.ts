/** @module moysklad/schemas/counterparty — buyers and suppliers (§6). */
import { z } from 'zod';
import { metaSchema } from './meta.js';

export const companyTypeSchema = z.string();

export const counterpartySchema = z.looseObject({
  meta: metaSchema,
  id: z.string(),
  name: z.string(),
  companyType: companyTypeSchema.optional(),
  inn: z.string().optional(),
  kpp: z.string().optional(),
  ogrn: z.string().optional(),
  legalTitle: z.string().optional(),
  email: z.string().optional(),
  phone: z.string().optional(),
  tags: z.array(z.string()).optional(),
  code: z.string().optional(),
  externalCode: z.string().optional(),
  syncId: z.string().optional(),
  archived: z.boolean().optional(),
  description: z.string().optional(),
  created: z.string().optional(),
  updated: z.string().optional(),
});
export type MsCounterparty = z.infer<typeof counterpartySchema>;

export interface MsCounterpartyCreate {
  name: string;
  companyType?: 'legal' | 'entrepreneur' | 'individual';
  inn?: string;
  kpp?: string;
  legalTitle?: string;
  email?: string;
  phone?: string;
  tags?: string[];
  externalCode?: string;
  syncId?: string;
  [field: string]: unknown;
}

/**
 * C11 a PUT of a counterparty: only the fields that changed (MoySklad updates the fields a PUT
 * names and keeps the others); null clears a field.
 */
export interface MsCounterpartyUpdate {
  name?: string;
  inn?: string | null;
  email?: string | null;
  phone?: string | null;
}
