import fs from 'node:fs';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import bcrypt from 'bcryptjs';
import { afterAll, describe, expect, it } from 'vitest';
import { hashToken } from '../../src/server/auth.js';
import { cleanEnv, runCli, tempDir } from './cli-helpers.js';

const root = tempDir();
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
const env = cleanEnv({ DATA_DIR: path.join(root, 'data'), LOG_DIR: path.join(root, 'logs') });
const sqlite = (): SqliteDatabase.Database => new SqliteDatabase(path.join(root, 'data', 'moysklad-exchange.sqlite'), { readonly: true });

describe('token and admin commands', { timeout: 180_000 }, () => {
  it('B8 token create prints the token once and stores only its SHA-256; list never shows it; revoke marks it', async () => {
    const created = await runCli(['token', 'create', 'shop platform'], env, root);
    expect(created.code, created.stderr).toBe(0);
    const token = /^token (\d+) \(shop platform\): (mse_[A-Za-z0-9_-]{43})$/m.exec(created.stdout);
    expect(token).not.toBeNull();
    const db = sqlite();
    try {
      const row = db.prepare('select token_hash, prefix, revoked_at from api_tokens where id = ?').get(Number(token![1])) as { token_hash: string; prefix: string; revoked_at: string | null };
      expect(row.token_hash).toBe(hashToken(token![2]!));
      expect(JSON.stringify(db.prepare('select * from api_tokens').all())).not.toContain(token![2]);
    } finally {
      db.close();
    }
    const list = await runCli(['token', 'list'], env, root);
    expect(list.stdout).toContain('shop platform');
    expect(list.stdout).not.toContain(token![2]);
    const revoked = await runCli(['token', 'revoke', token![1]!], env, root);
    expect(revoked.stdout.trim()).toBe(`token ${token![1]} revoked`);
    const again = await runCli(['token', 'revoke', token![1]!], env, root);
    expect(again.code).toBe(1);
    expect(again.stderr.trim()).toBe(`moysklad-exchange: no active token with id ${token![1]}`);
  });

  it('B8 admin set-password stores a bcrypt hash of the given password', async () => {
    const r = await runCli(['admin', 'set-password', '--login', 'boss', '--password', 'correct horse'], env, root);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe('admin login boss created');
    const db = sqlite();
    try {
      const row = db.prepare('select password_hash from admin_users where login = ?').get('boss') as { password_hash: string };
      expect(bcrypt.compareSync('correct horse', row.password_hash)).toBe(true);
      expect(row.password_hash).not.toContain('correct horse');
    } finally {
      db.close();
    }
    const short = await runCli(['admin', 'set-password', '--password', 'short'], env, root);
    expect(short.code).toBe(1);
    expect(short.stderr.trim()).toBe('moysklad-exchange: the admin password must have at least 8 characters');
  });
});
