/**
 * @module moysklad/endpoints/context
 * Who the credential is: a new token, the credential check and the current employee's rights.
 */
import { listOf } from '../schemas/list.js';
import { organizationSchema, type MsOrganization } from '../schemas/organization.js';
import { contextEmployeeSchema, employeeRights, type EmployeeRights } from '../schemas/employee.js';
import { tokenResponseSchema } from '../schemas/token.js';
import type { MoySkladTransport } from '../transport.js';

/** `POST /security/token`: a new user token (MoySklad revokes the user's older ones). Accepts 200 or 201. */
export async function issueToken(t: MoySkladTransport, signal?: AbortSignal): Promise<string> {
  const body = await t.request('POST', 'security/token', { signal, idempotent: false });
  return t.parse(tokenResponseSchema, body, 'POST', 'security/token').access_token;
}

/** The organizations, or a typed error saying what is wrong with the credential; retried only once so the answer is quick. */
export async function checkCredentials(t: MoySkladTransport, signal?: AbortSignal): Promise<MsOrganization[]> {
  const body = await t.request('GET', 'entity/organization', { signal, retries: 1 });
  return t.parse(listOf(organizationSchema), body, 'GET', 'entity/organization').rows;
}

/** C10 `GET context/employee`: who this credential is and its rights (administrator, stock report, CRM). */
export async function currentEmployee(t: MoySkladTransport, signal?: AbortSignal): Promise<EmployeeRights> {
  const body = await t.request('GET', 'context/employee', { signal, retries: 1 });
  return employeeRights(t.parse(contextEmployeeSchema, body, 'GET', 'context/employee'));
}
