/**
 * @module users
 * C10 the users (employees with a login) of an emulated MoySklad account and their rights, as
 * MoySklad exposes them in `GET /context/employee` → `permissions` (md/_general.md «Контекст
 * запроса сотрудника», «Пермиссии сотрудника»):
 * - `admin` — the user is a system administrator (`{"view":"ALL"}` when so);
 * - `stock` — «Просматривать остатки по товарам» (the `viewStockReport` user permission): without
 *   it and without admin the current-stock report answers 13004 (md/reports/_report_stock.md);
 * - `company_crm` — «Просматривать показатели» (`viewCompanyCRM`): the counterparty report;
 * - `tariff_crm` — the account's tariff has the CRM option.
 * The account's own login is its administrator; a seed may add more users.
 */

export interface UserRights {
  /** Системный администратор. */
  admin: boolean;
  /** viewStockReport («Остатки»). */
  stockReport: boolean;
  /** viewCompanyCRM («Просматривать показатели»). */
  companyCrm: boolean;
}

export interface EmulatorUserSpec extends Partial<UserRights> {
  login: string;
  password: string;
  name?: string;
  /** Entity types the user may not create (the per-entity `create` permission is NO → 1045). */
  cannotCreate?: string[];
}

export interface EmulatorUser extends UserRights {
  login: string;
  password: string;
  name: string;
  employeeId: string;
  /** The user's current token (`POST /security/token` revokes the older one). */
  userToken: string | undefined;
  /** Entity types the user may not create (1045, md/_errors.md). */
  cannotCreate: string[];
}

export const ADMIN_RIGHTS: UserRights = { admin: true, stockReport: true, companyCrm: true };

/** The `permissions` object of `context/employee` (only the user and tariff permissions the module reads, plus a few entity ones). */
export function permissionsOf(user: UserRights, tariffCrm: boolean): Record<string, Record<string, string>> {
  const view = (on: boolean): Record<string, string> => (on ? { view: 'ALL' } : {});
  const all = { view: 'ALL', create: 'ALL', update: 'ALL', delete: 'ALL' };
  return {
    admin: view(user.admin),
    stock: view(user.admin || user.stockReport),
    company_crm: view(user.admin || user.companyCrm),
    tariff_crm: view(tariffCrm),
    dashboard: view(user.admin),
    product: { ...all, print: 'ALL' },
    counterparty: { ...all, print: 'ALL' },
    customerorder: { ...all, approve: 'ALL', print: 'ALL' },
    purchaseorder: { ...all, approve: 'ALL', print: 'ALL' },
    webhook: user.admin ? all : {},
  };
}

/** C10 a new user from its spec (no rights unless given). */
export function newUser(spec: EmulatorUserSpec, employeeId: string): EmulatorUser {
  return {
    login: spec.login,
    password: spec.password,
    name: spec.name ?? spec.login,
    employeeId,
    userToken: undefined,
    admin: spec.admin ?? false,
    stockReport: spec.stockReport ?? false,
    companyCrm: spec.companyCrm ?? false,
    cannotCreate: [...(spec.cannotCreate ?? [])],
  };
}
