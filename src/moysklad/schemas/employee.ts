/**
 * @module moysklad/schemas/employee — C10 `GET /context/employee`: the user of the request and its
 * permissions (md/_general.md «Контекст запроса сотрудника», «Пермиссии сотрудника»). A user and
 * tariff permission holds when its object has `view: "ALL"`; otherwise it is absent or empty.
 */
import { z } from 'zod';
import { metaSchema } from './meta.js';

const viewPermission = z.looseObject({ view: z.string().optional() });

export const contextEmployeeSchema = z.looseObject({
  meta: metaSchema,
  id: z.string(),
  name: z.string().optional(),
  uid: z.string().optional(),
  permissions: z
    .looseObject({
      admin: viewPermission.optional(),
      stock: viewPermission.optional(),
      company_crm: viewPermission.optional(),
      tariff_crm: viewPermission.optional(),
    })
    .optional(),
});
export type MsContextEmployee = z.infer<typeof contextEmployeeSchema>;

/** The rights the module cares about, read from `permissions`. */
export interface EmployeeRights {
  login: string | null;
  /** Системный администратор (the seed asks for one). */
  admin: boolean;
  /** «Просматривать остатки по товарам»: the current-stock report (13004 without it). */
  stockReport: boolean;
  /** «Просматривать показатели»: the counterparty report (client balances). */
  companyCrm: boolean;
  /** The tariff has the CRM option (1043 without it). */
  tariffCrm: boolean;
}

const granted = (p: { view?: string | undefined } | undefined): boolean => p?.view === 'ALL';

export function employeeRights(e: MsContextEmployee): EmployeeRights {
  const p = e.permissions ?? {};
  const admin = granted(p.admin);
  return { login: e.uid ?? null, admin, stockReport: admin || granted(p.stock), companyCrm: admin || granted(p.company_crm), tariffCrm: granted(p.tariff_crm) };
}
