/**
 * C14 (and C13) the region's time zone and phone country through the platform API: validated IANA
 * names (returned canonical), TZ_SHOP as the default of a new region, clear 400s for bad input.
 */
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import type { EnqueueRequest, JobEnqueuer } from '../../src/queue/types.js';
import { createApp } from '../../src/server/app.js';
import { ApiTokenService } from '../../src/server/auth.js';
import { migrationStatus } from '../../src/store/migrate.js';
import { SyncRegistry } from '../../src/sync/sync-registry.js';
import { forEachDialect } from '../helpers/databases.js';

const enqueuer: JobEnqueuer = { enqueue: async (_r: EnqueueRequest) => ({ jobId: '1', merged: false }) };

describe('regions API', () => {
  forEachDialect((getDb) => {
    it('C14 a region has a validated IANA time zone (default TZ_SHOP) and a phone country (default RU)', async () => {
      const { db } = getDb();
      const clock = new ManualClock();
      const app = createApp({ db, clock, enqueuer, syncs: new SyncRegistry(), publicBaseUrl: 'http://shop.test', defaultTimeZone: 'Asia/Yekaterinburg', logger: { error: () => undefined }, readiness: { migrationStatus: () => migrationStatus(db) } });
      const { token } = await new ApiTokenService({ db, clock }).create('platform');
      const call = async (method: string, path: string, body?: unknown) => {
        const res = await app.request(`/api/v1${path}`, { method, headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
        return { status: res.status, json: (await res.json()) as any }; // eslint-disable-line @typescript-eslint/no-explicit-any
      };
      const tag = Math.random().toString(36).slice(2, 8);
      const plain = await call('POST', '/regions', { name: 'Екатеринбург', code: `ekb-${tag}` });
      expect(plain.status).toBe(201);
      expect({ timeZone: plain.json.timeZone, country: plain.json.country }).toEqual({ timeZone: 'Asia/Yekaterinburg', country: 'RU' });
      const vvo = await call('POST', '/regions', { name: 'Владивосток', code: `vvo-${tag}`, timeZone: 'asia/vladivostok', country: 'RU' });
      expect({ status: vvo.status, timeZone: vvo.json.timeZone }).toEqual({ status: 201, timeZone: 'Asia/Vladivostok' });
      const minsk = await call('POST', '/regions', { name: 'Минск', code: `msq-${tag}`, timeZone: 'Europe/Minsk', country: 'BY' });
      expect({ status: minsk.status, country: minsk.json.country }).toEqual({ status: 201, country: 'BY' });
      for (const bad of [{ timeZone: 'MSK' }, { timeZone: '+03:00' }, { timeZone: 'Mars/Olympus' }, { country: 'US' }]) {
        const r = await call('POST', '/regions', { name: 'X', code: `bad-${tag}`, ...bad });
        expect(r.status, JSON.stringify(bad)).toBe(400);
      }
      const moved = await call('PATCH', `/regions/${vvo.json.id}`, { timeZone: 'Asia/Kamchatka' });
      expect(moved.json).toMatchObject({ id: vvo.json.id, timeZone: 'Asia/Kamchatka', country: 'RU' });
      expect((await call('PATCH', `/regions/${vvo.json.id}`, { timeZone: 'Europe/Nowhere' })).status).toBe(400);
      expect((await call('GET', `/regions/${vvo.json.id}`)).json.timeZone).toBe('Asia/Kamchatka');
    });
  });
});
