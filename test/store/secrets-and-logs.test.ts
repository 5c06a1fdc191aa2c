import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { SecretBox } from '../../src/core/secret-box.js';
import { IntegrationLog } from '../../src/log/integration-log.js';
import { REDACTED } from '../../src/log/redactor.js';
import { LogEntryRepository } from '../../src/store/repositories/log-entry-repository.js';
import { MsAccountRepository } from '../../src/store/repositories/ms-account-repository.js';
import { KEY_CHECK_SETTING, SecretKeyMismatchError, verifySecretKey } from '../../src/store/secret-key-check.js';
import { openTestDatabase, dialects, postgresUnavailableReason } from '../helpers/databases.js';
import { forEachDialect } from '../helpers/databases.js';

describe('secret key check and integration log', () => {
  for (const dialect of dialects) {
    const why = dialect === 'postgres' ? postgresUnavailableReason() : null;
    if (why) console.warn(`PostgreSQL unreachable (${why}); secret key check case SKIPPED`);
    it.skipIf(why !== null)(`B8 [${dialect}] the wrong secret key for existing data fails with one line and changes nothing`, async () => {
      const tdb = await openTestDatabase(dialect);
      try {
        const clock = new ManualClock();
        const good = new SecretBox(randomBytes(32));
        expect(await verifySecretKey(tdb.db, good, clock)).toBe('initialized');
        expect(await verifySecretKey(tdb.db, good, clock)).toBe('ok');
        await new MsAccountRepository(tdb.db, clock, good).upsert({ authKind: 'password', login: 'a@b', secret: 'pw', baseUrl: 'http://127.0.0.1:1' });
        const before = await tdb.db.selectFrom('settings').selectAll().execute();
        const bad = new SecretBox(randomBytes(32));
        const err = await verifySecretKey(tdb.db, bad, clock).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(SecretKeyMismatchError);
        expect((err as Error).message).not.toContain('\n');
        expect(await tdb.db.selectFrom('settings').selectAll().execute()).toEqual(before);
        // Data encrypted before the check value existed is verified by decrypting it.
        await tdb.db.deleteFrom('settings').where('key', '=', KEY_CHECK_SETTING).execute();
        await expect(verifySecretKey(tdb.db, bad, clock)).rejects.toBeInstanceOf(SecretKeyMismatchError);
        expect(await tdb.db.selectFrom('settings').selectAll().where('key', '=', KEY_CHECK_SETTING).execute()).toEqual([]);
        expect(await verifySecretKey(tdb.db, good, clock)).toBe('initialized');
      } finally {
        await tdb.dispose();
      }
    });
  }

  forEachDialect((getDb) => {
    it('R32 integration log entries reach the file and the database, never with secrets', async () => {
      const { db, dataDir } = getDb();
      const logDir = path.join(dataDir, 'logs');
      const clock = new ManualClock({ start: '2026-11-29T09:00:00Z' });
      const log = new IntegrationLog({ logDir, clock, entries: new LogEntryRepository(db) });
      // The account repository reports the secrets it handles to the log's redactor.
      const accounts = new MsAccountRepository(db, clock, new SecretBox(randomBytes(32)), { onSecret: (s) => log.redactor.addSecret(s) });
      await accounts.upsert({ authKind: 'password', login: 'admin@test', secret: 'S3cr3t-Passw0rd', baseUrl: 'http://127.0.0.1:1' });
      const id = await log.write({
        level: 'error',
        integrationId: 7,
        priceListId: 3,
        kind: 'credentials',
        message: 'MoySklad said 401 for Basic YWRtaW5AdGVzdDpTM2NyM3QtUGFzc3cwcmQ=',
        details: { login: 'admin@test', password: 'S3cr3t-Passw0rd', token: 'tkn-abcdef', text: 'retry with S3cr3t-Passw0rd' },
      });
      log.close();
      expect(id).not.toBeNull();
      const rows = await new LogEntryRepository(db).list({ priceListId: 3 });
      expect(rows).toHaveLength(1);
      const stored = JSON.stringify(rows[0]);
      const file = fs.readFileSync(log.file, 'utf8');
      for (const text of [stored, file]) {
        expect(text).not.toContain('S3cr3t-Passw0rd');
        expect(text).not.toContain('tkn-abcdef');
        expect(text).not.toContain('YWRtaW5AdGVzdDpTM2NyM3QtUGFzc3cwcmQ');
        expect(text).toContain('admin@test');
      }
      expect(rows[0]).toMatchObject({ at: '2026-11-29T09:00:00.000Z', level: 'error', integrationId: 7, kind: 'credentials' });
      expect((rows[0]?.details as { password: string }).password).toBe(REDACTED);
    });
  });
});
