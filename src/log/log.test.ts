import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../core/clock.js';
import { createLogger } from './create-logger.js';
import { IntegrationLog, INTEGRATION_LOG_FILE, readIntegrationLog } from './integration-log.js';
import { REDACTED, Redactor } from './redactor.js';
import { DEFAULT_ROTATION, RotatingFile, rotatedName } from './rotating-file.js';

const dirs: string[] = [];
const tmp = (): string => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'mse-log-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe('Redactor', () => {
  it('B8 scrubs sensitive keys, auth headers, URL passwords and registered secrets', () => {
    const r = new Redactor();
    r.addSecret('hunter2-pass');
    const out = r.scrubValue({
      login: 'admin@shop',
      password: 'p1',
      nested: { MOYSKLAD_TOKEN: 't1', headers: { Authorization: 'Basic YWRtaW46cGFzcw==' } },
      note: 'sent Authorization: Bearer abcdef123456 to https://u:topsecret@host/x?password=qq&x=1',
      text: 'login failed with hunter2-pass',
      list: [{ secretEnc: 'v1:a:b:c' }],
      err: new Error('Basic Zm9vOmJhcg== rejected'),
    });
    const s = JSON.stringify(out);
    for (const leaked of ['p1"', 't1"', 'YWRtaW46cGFzcw', 'abcdef123456', 'topsecret', 'qq&', 'hunter2-pass', 'v1:a:b:c', 'Zm9vOmJhcg']) {
      expect(s).not.toContain(leaked);
    }
    expect(s).toContain('admin@shop');
    expect(s).toContain(REDACTED);
    expect((out as { err: { message: string } }).err.message).toBe(`Basic ${REDACTED} rejected`);
  });
});

describe('createLogger', () => {
  it('B8 never writes secrets to the service log', async () => {
    const chunks: string[] = [];
    const dest = new Writable({
      write(c: Buffer, _e, cb) {
        chunks.push(c.toString());
        cb();
      },
    });
    const logger = createLogger({ logLevel: 'debug' }, { destination: dest });
    logger.info({ password: 'pw-1', req: { headers: { authorization: 'Bearer tok-xyz-123' } }, deep: { a: { b: { apiToken: 'zzz9' } } } }, 'calling with Basic dXNlcjpwYXNz');
    logger.error({ err: new Error('failed for postgres://u:dbpass@h/db') }, 'boom');
    await new Promise((r) => setImmediate(r));
    const out = chunks.join('');
    expect(out).toContain('calling with Basic');
    for (const leaked of ['pw-1', 'tok-xyz-123', 'zzz9', 'dXNlcjpwYXNz', 'dbpass']) expect(out).not.toContain(leaked);
    expect(JSON.parse(chunks[0] ?? '{}')).toMatchObject({ level: 'info' });
  });
});

describe('RotatingFile', () => {
  it('R32 rotation defaults: 10 MiB, keep 5', () => {
    expect(DEFAULT_ROTATION).toEqual({ maxBytes: 10 * 1024 * 1024, keep: 5 });
  });

  it('R32 rotates by size keeping the current name and at most `keep` old files', () => {
    const dir = tmp();
    const file = path.join(dir, INTEGRATION_LOG_FILE);
    const f = new RotatingFile(file, { maxBytes: 100, keep: 2 });
    for (let i = 0; i < 20; i++) f.writeLine(`line ${i.toString().padStart(2, '0')} ${'x'.repeat(30)}`);
    f.close();
    expect(fs.readdirSync(dir).sort()).toEqual(['moysklad_logger.1.log', 'moysklad_logger.2.log', 'moysklad_logger.log']);
    expect(fs.statSync(file).size).toBeLessThanOrEqual(100);
    expect(fs.readFileSync(file, 'utf8')).toContain('line 19');
    expect(fs.readFileSync(rotatedName(file, 1), 'utf8')).toContain('line 17');
  });
});

describe('IntegrationLog (file)', () => {
  it('R32 writes moysklad_logger.log with secrets scrubbed and reads it back filtered', async () => {
    const dir = tmp();
    const clock = new ManualClock({ start: '2026-11-29T09:00:00Z' });
    const log = new IntegrationLog({ logDir: dir, clock, rotation: { maxBytes: 600, keep: 3 } });
    log.redactor.addSecret('ms-password-777');
    await log.write({ level: 'info', integrationId: 1, kind: 'stock', message: 'stock synced', details: { rows: 10 } });
    clock.advance(1000);
    await log.write({
      level: 'error',
      integrationId: 2,
      priceListId: 5,
      kind: 'credentials',
      message: 'auth failed for ms-password-777',
      details: { password: 'ms-password-777', headers: { Authorization: 'Basic YWRtaW46bXMtcGFzc3dvcmQtNzc3' } },
    });
    for (let i = 0; i < 10; i++) {
      clock.advance(1000);
      await log.write({ level: 'debug', integrationId: 1, kind: 'stock', message: `page ${i}` });
    }
    log.close();
    const all = fs.readdirSync(dir).map((f) => fs.readFileSync(path.join(dir, f), 'utf8')).join('');
    expect(all).not.toContain('ms-password-777');
    expect(all).not.toContain('YWRtaW46');
    expect(fs.readdirSync(dir).length).toBeGreaterThan(1);
    const errors = readIntegrationLog(dir, { level: 'warn' });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ integrationId: 2, priceListId: 5, kind: 'credentials', time: '2026-11-29T09:00:01.000Z' });
    expect(errors[0]?.msg).toBe(`auth failed for ${REDACTED}`);
    const one = readIntegrationLog(dir, { integrationId: 1, since: '2026-11-29T09:00:05.000Z', limit: 3 });
    expect(one.map((e) => e.msg)).toEqual(['page 9', 'page 8', 'page 7']);
  });
});
