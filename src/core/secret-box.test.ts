import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SecretBox, SecretDecryptError, loadOrCreateKeyFile, parseSecretKey } from './secret-box.js';

describe('SecretBox', () => {
  const key = randomBytes(32);

  it('B8 round-trips and never stores the plain text', () => {
    const box = new SecretBox(key);
    const enc = box.encrypt('p@ssw0rd-секрет');
    expect(enc).toMatch(/^v1:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+$/);
    expect(enc).not.toContain('p@ssw0rd');
    expect(box.decrypt(enc)).toBe('p@ssw0rd-секрет');
    expect(box.encrypt('same')).not.toBe(box.encrypt('same'));
  });

  it('B8 fails on a wrong key and on tampering', () => {
    const enc = new SecretBox(key).encrypt('token');
    expect(() => new SecretBox(randomBytes(32)).decrypt(enc)).toThrow(SecretDecryptError);
    const parts = enc.split(':');
    const ct = Buffer.from(parts[3] ?? '', 'base64');
    ct[0] = (ct[0] ?? 0) ^ 1;
    const tampered = [parts[0], parts[1], parts[2], ct.toString('base64')].join(':');
    expect(() => new SecretBox(key).decrypt(tampered)).toThrow(SecretDecryptError);
    expect(() => new SecretBox(key).decrypt('plain')).toThrow(/unknown format/);
    expect(() => new SecretBox(randomBytes(16))).toThrow(/32 bytes/);
  });

  it('B8 parses hex and base64 keys and rejects others', () => {
    expect(parseSecretKey(key.toString('hex'))?.equals(key)).toBe(true);
    expect(parseSecretKey(key.toString('base64'))?.equals(key)).toBe(true);
    expect(parseSecretKey(key.toString('base64url'))?.equals(key)).toBe(true);
    expect(parseSecretKey('short')).toBeNull();
    expect(parseSecretKey(randomBytes(16).toString('base64'))).toBeNull();
  });

  it('B8 generates the key file once with mode 0600', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mse-key-'));
    try {
      const file = path.join(dir, 'sub', 'secret.key');
      const a = loadOrCreateKeyFile(file);
      expect(a.created).toBe(true);
      expect(fs.statSync(file).mode & 0o777).toBe(0o600);
      const b = loadOrCreateKeyFile(file);
      expect(b.created).toBe(false);
      expect(b.key.equals(a.key)).toBe(true);
      fs.writeFileSync(file, 'garbage');
      expect(() => loadOrCreateKeyFile(file)).toThrow(/does not hold/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
