/**
 * @module admin-login
 * The admin panel login as the quick start creates it and `admin set-password` sets it: bcrypt
 * hashes, a generated password shown only once.
 */
import { randomBytes } from 'node:crypto';
import bcrypt from 'bcryptjs';
import type { Clock } from '../core/clock.js';
import type { StoreDatabase } from '../store/database.js';
import { AdminUserRepository } from '../store/repositories/admin-user-repository.js';

/** Creates the admin login unless it exists; returns the password only when it was generated now. */
export async function ensureAdminUser(store: StoreDatabase, clock: Clock, login: string, password: string | null): Promise<{ login: string; created: boolean; generatedPassword: string | null }> {
  if (await new AdminUserRepository(store.db).findByLogin(login)) return { login, created: false, generatedPassword: null };
  const plain = password ?? randomBytes(12).toString('base64url');
  await setAdminPassword(store, clock, login, plain);
  return { login, created: true, generatedPassword: password ? null : plain };
}

/** Sets (or creates) an admin login's password, hashed with bcrypt; a new password ends the login's sessions. */
export async function setAdminPassword(store: StoreDatabase, clock: Clock, login: string, password: string): Promise<'created' | 'updated'> {
  const now = clock.now().toISOString();
  const passwordHash = await bcrypt.hash(password, 10);
  return new AdminUserRepository(store.db).setPasswordHash(login, passwordHash, now);
}
