/**
 * @module secret-key-check
 * Refuses to start with the wrong secret key for existing encrypted data (issue 2, "must show").
 * A key check value (a known text encrypted with the key) lives in `settings`.
 */
import type { Clock } from '../core/clock.js';
import { AppError } from '../core/errors.js';
import type { SecretBox } from '../core/secret-box.js';
import { nowIso } from './database.js';
import type { Db } from './db.js';

export const KEY_CHECK_SETTING = 'secret_key_check';
const KEY_CHECK_TEXT = 'moysklad-exchange secret key check v1';

export class SecretKeyMismatchError extends AppError {
  constructor() {
    super(
      'secret_key_mismatch',
      'SECRET_KEY does not match the key that encrypted the stored credentials; start with the original key (or its secret.key file)',
    );
    this.name = 'SecretKeyMismatchError';
  }
}

/**
 * Checks `box` against the stored key check value; stores one when there is none yet.
 * With the wrong key it throws `SecretKeyMismatchError` and writes nothing.
 * Returns 'ok' when the key matched, 'initialized' when the check value was just stored.
 */
export async function verifySecretKey(db: Db, box: SecretBox, clock: Clock): Promise<'ok' | 'initialized'> {
  const row = await db.selectFrom('settings').select('value').where('key', '=', KEY_CHECK_SETTING).executeTakeFirst();
  if (row) {
    if (!box.canDecrypt(row.value) || box.decrypt(row.value) !== KEY_CHECK_TEXT) throw new SecretKeyMismatchError();
    return 'ok';
  }
  // No check value yet (first start, or data from before it existed): any stored secret must decrypt.
  const sample = await db.selectFrom('msAccounts').select('secretEnc').orderBy('id').limit(1).executeTakeFirst();
  if (sample && !box.canDecrypt(sample.secretEnc)) throw new SecretKeyMismatchError();
  await db
    .insertInto('settings')
    .values({ key: KEY_CHECK_SETTING, value: box.encrypt(KEY_CHECK_TEXT), updatedAt: nowIso(clock) })
    .onConflict((oc) => oc.column('key').doNothing())
    .execute();
  // If another process stored its own value concurrently, verify against that one.
  const stored = await db.selectFrom('settings').select('value').where('key', '=', KEY_CHECK_SETTING).executeTakeFirstOrThrow();
  if (!box.canDecrypt(stored.value)) throw new SecretKeyMismatchError();
  return 'initialized';
}

/** Whether the database holds encrypted data (a key check value or a MoySklad account's secret). */
export async function holdsEncryptedData(db: Db): Promise<boolean> {
  const check = await db.selectFrom('settings').select('key').where('key', '=', KEY_CHECK_SETTING).executeTakeFirst();
  const secrets = await db.selectFrom('msAccounts').select('id').limit(1).executeTakeFirst();
  return Boolean(check || secrets);
}
