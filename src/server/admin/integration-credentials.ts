/**
 * @module integration-credentials
 * The MoySklad credentials typed into the create and credentials forms (a login and password, or
 * a token).
 */
import type { SetupCredentials } from '../../setup/integration-setup.js';
import { field } from './admin-helpers.js';

export function credentialsOf(form: Record<string, unknown>): SetupCredentials {
  return field(form, 'authKind') === 'user_token'
    ? { authKind: 'user_token', token: field(form, 'token') }
    : { authKind: 'password', login: field(form, 'login'), password: field(form, 'password') };
}
