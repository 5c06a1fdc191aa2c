/**
 * @module secret-box
 * B8 secrets at rest: AES-256-GCM with a 32-byte key. `encrypt` gives
 * `v1:<iv>:<tag>:<ciphertext>` (each base64); `decrypt` reverses it and fails loudly on a wrong
 * key or tampered text. The key comes from `SECRET_KEY` (base64 or hex) or from a key file that is
 * generated with mode 0600 on first start.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { AppError } from './errors.js';

export const SECRET_KEY_BYTES = 32;
const IV_BYTES = 12;
const PREFIX = 'v1';

export class SecretKeyError extends AppError {
  constructor(message: string) {
    super('secret_key_invalid', message);
    this.name = 'SecretKeyError';
  }
}

export class SecretDecryptError extends AppError {
  constructor(message: string) {
    super('secret_decrypt_failed', message);
    this.name = 'SecretDecryptError';
  }
}

/**
 * Parses a 32-byte key given as 64 hex characters or base64 (standard or url-safe).
 * Returns null when the text is neither.
 */
export function parseSecretKey(text: string): Buffer | null {
  const t = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(t)) return Buffer.from(t, 'hex');
  if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(t)) {
    const b = Buffer.from(t.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    if (b.length === SECRET_KEY_BYTES) return b;
  }
  return null;
}

/**
 * Reads the key file, or creates it (32 random bytes, base64, mode 0600) when missing.
 * `created` tells whether this call generated it.
 */
export function loadOrCreateKeyFile(file: string): { key: Buffer; created: boolean } {
  if (fs.existsSync(file)) {
    const key = parseSecretKey(fs.readFileSync(file, 'utf8'));
    if (!key) throw new SecretKeyError(`secret key file ${file} does not hold a 32-byte base64 or hex key`);
    return { key, created: false };
  }
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const key = randomBytes(SECRET_KEY_BYTES);
  try {
    fs.writeFileSync(file, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (e) {
    // Another process created it first: use theirs.
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return loadOrCreateKeyFile(file);
    throw e;
  }
  fs.chmodSync(file, 0o600);
  return { key, created: true };
}

export class SecretBox {
  readonly #key: Buffer;

  constructor(key: Buffer) {
    if (key.length !== SECRET_KEY_BYTES) throw new SecretKeyError(`secret key must be ${SECRET_KEY_BYTES} bytes, got ${key.length}`);
    this.#key = Buffer.from(key);
  }

  /** A short, non-secret fingerprint of the key (first 8 hex of SHA-256), for logs and diagnostics. */
  get fingerprint(): string {
    return createHash('sha256').update(this.#key).digest('hex').slice(0, 8);
  }

  encrypt(plain: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv);
    const ct = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    const tag = cipher.getAuthTag();
    return `${PREFIX}:${iv.toString('base64')}:${tag.toString('base64')}:${ct.toString('base64')}`;
  }

  /** Throws `SecretDecryptError` on a wrong key, tampered or malformed text. */
  decrypt(text: string): string {
    const parts = text.split(':');
    if (parts.length !== 4 || parts[0] !== PREFIX) throw new SecretDecryptError('encrypted secret has an unknown format');
    const [, ivB64, tagB64, ctB64] = parts as [string, string, string, string];
    const iv = Buffer.from(ivB64, 'base64');
    const tag = Buffer.from(tagB64, 'base64');
    if (iv.length !== IV_BYTES || tag.length !== 16) throw new SecretDecryptError('encrypted secret has an unknown format');
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.#key, iv);
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(Buffer.from(ctB64, 'base64')), decipher.final()]).toString('utf8');
    } catch {
      throw new SecretDecryptError('encrypted secret cannot be decrypted with this key (wrong SECRET_KEY or tampered data)');
    }
  }

  /** True when `text` decrypts with this key. */
  canDecrypt(text: string): boolean {
    try {
      this.decrypt(text);
      return true;
    } catch {
      return false;
    }
  }
}
