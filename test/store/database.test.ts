import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { chunk, createDatabase, flag, nowIso, SQLITE_FILE_NAME, toIso } from '../../src/store/database.js';
import { dialectOf } from '../../src/store/dialect-of.js';
import { forEachDialect } from '../helpers/databases.js';

describe('createDatabase', () => {
  it('B7 SQLite by default: file under DATA_DIR, WAL, foreign keys, busy timeout', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mse-db-'));
    const store = createDatabase({ dataDir: path.join(dir, 'nested') });
    try {
      expect(store.dialect).toBe('sqlite');
      expect(dialectOf(store.db)).toBe('sqlite');
      const mode = await sql<{ journal_mode: string }>`pragma journal_mode`.execute(store.db);
      expect(mode.rows[0]).toEqual({ journalMode: 'wal' });
      const fk = await sql<{ foreignKeys: number }>`pragma foreign_keys`.execute(store.db);
      expect(fk.rows[0]).toEqual({ foreignKeys: 1 });
      const bt = await sql<{ timeout: number }>`pragma busy_timeout`.execute(store.db);
      expect(Object.values(bt.rows[0] ?? {})[0]).toBe(10000);
      expect(fs.existsSync(path.join(dir, 'nested', SQLITE_FILE_NAME))).toBe(true);
    } finally {
      await store.destroy();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('B7 an unparseable DATABASE_URL is one clear error', () => {
    expect(() => createDatabase({ dataDir: '/nonexistent', databaseUrl: 'mysql://x' })).toThrow('DATABASE_URL is not a valid postgres:// URL');
  });

  it('stores time as ISO UTC text and flags as 0/1', () => {
    expect(nowIso(new ManualClock({ start: '2026-11-29T12:00:00+03:00' }))).toBe('2026-11-29T09:00:00.000Z');
    expect(toIso(0)).toBe('1970-01-01T00:00:00.000Z');
    expect(() => toIso('nope')).toThrow(/not a time/);
    expect([flag(true), flag(false), flag(null)]).toEqual([1, 0, 0]);
    expect(chunk([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
  });

  forEachDialect((getDb, dialect) => {
    it('B7 bigint, numeric and count come back as JS numbers on both dialects', async () => {
      const { db } = getDb();
      expect(dialectOf(db)).toBe(dialect);
      const r = await sql<{ big: number; n: number }>`select cast(9007199254740 as bigint) as big, count(*) as n from regions`.execute(db);
      expect(typeof r.rows[0]?.big).toBe('number');
      expect(r.rows[0]?.big).toBe(9_007_199_254_740);
      expect(typeof r.rows[0]?.n).toBe('number');
      if (dialect === 'postgres') {
        const num = await sql<{ v: number }>`select 12.5::numeric as v`.execute(db);
        expect(num.rows[0]?.v).toBe(12.5);
      }
    });
  });
});
