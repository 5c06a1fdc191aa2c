/** @module moysklad/schemas/counterparty-report — `/report/counterparty` rows (§6). Money in kopecks; negative balance = they owe us. */
import { z } from 'zod';
import { metaSchema } from './meta.js';

export const counterpartyReportRowSchema = z.looseObject({
  meta: metaSchema,
  counterparty: z.looseObject({
    meta: metaSchema,
    id: z.string(),
    name: z.string(),
    externalCode: z.string().optional(),
    companyType: z.string().optional(),
  }),
  balance: z.number(),
  profit: z.number().optional(),
  averageReceipt: z.number().optional(),
  demandsCount: z.number().optional(),
  demandsSum: z.number().optional(),
  returnsCount: z.number().optional(),
  returnsSum: z.number().optional(),
  bonusBalance: z.number().optional(),
  firstDemandDate: z.string().nullable().optional(),
  lastDemandDate: z.string().nullable().optional(),
  updated: z.string().optional(),
});
export type MsCounterpartyReportRow = z.infer<typeof counterpartyReportRowSchema>;
