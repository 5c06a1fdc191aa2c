import { randomBytes } from 'node:crypto';
import { expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { SecretBox } from '../../src/core/secret-box.js';
import type { Job } from '../../src/queue/types.js';
import { JobTargetRepository } from '../../src/store/repositories/job-target-repository.js';
import { IntegrationRepository } from '../../src/store/repositories/integration-repository.js';
import { MsAccountRepository } from '../../src/store/repositories/ms-account-repository.js';
import { PriceListRepository } from '../../src/store/repositories/price-list-repository.js';
import { RegionRepository } from '../../src/store/repositories/region-repository.js';
import { forEachDialect } from '../helpers/databases.js';

const job = (over: Partial<Job>): Job => ({
  id: 'x',
  kind: 'stock.full',
  integrationId: null,
  priceListId: null,
  trigger: 'test',
  payload: {},
  attempt: 1,
  maxAttempts: 5,
  singletonKey: 'k',
  ...over,
});

forEachDialect((getDb) => {
  it('B2 resolves every job of two regions sharing one MoySklad login to the same credential lease, and reads schedule targets from the store', async () => {
    const { db } = getDb();
    const clock = new ManualClock();
    const box = new SecretBox(randomBytes(32));
    const regions = new RegionRepository(db, clock);
    const accounts = new MsAccountRepository(db, clock, box);
    const integrations = new IntegrationRepository(db, clock);
    const priceLists = new PriceListRepository(db, clock);
    const shared = await accounts.upsert({ authKind: 'password', login: 'shop@x', secret: 'pw', baseUrl: 'http://127.0.0.1:1/api/remap/1.2' });
    const other = await accounts.upsert({ authKind: 'password', login: 'other@x', secret: 'pw2', baseUrl: 'http://127.0.0.1:1/api/remap/1.2' });
    const north = await regions.create({ name: 'Север', code: 'north' });
    const south = await regions.create({ name: 'Юг', code: 'south' });
    const east = await regions.create({ name: 'Восток', code: 'east' });
    const iNorth = await integrations.create({ regionId: north.id, msAccountId: shared.id, active: true, categorySyncEnabled: true });
    const iSouth = await integrations.create({ regionId: south.id, msAccountId: shared.id, active: true, balanceSyncEnabled: true });
    const iEast = await integrations.create({ regionId: east.id, msAccountId: other.id, active: false });
    const plBound = await priceLists.create({ regionId: south.id, name: 'Склад Юг', msStoreId: 'store-1', syncIntervalMinutes: 30 });
    await priceLists.create({ regionId: north.id, name: 'Без склада' });

    const jobTargets = new JobTargetRepository(db);
    const resolve = jobTargets.leaseKeyFor;
    const kNorth = await resolve(job({ integrationId: String(iNorth.id) }));
    const kSouth = await resolve(job({ integrationId: String(iSouth.id) }));
    const kPl = await resolve(job({ priceListId: String(plBound.id) }));
    const kEast = await resolve(job({ integrationId: String(iEast.id) }));
    expect(kNorth).toBe(`ms-account:${shared.id}`);
    expect(kSouth).toBe(kNorth);
    expect(kPl).toBe(kNorth);
    expect(kEast).toBe(`ms-account:${other.id}`);
    expect(await resolve(job({ kind: 'outbox' }))).toBeUndefined();

    const targets = await jobTargets.scheduleTargets();
    expect(targets.integrations.map((i) => i.id).sort()).toEqual([iNorth.id, iSouth.id].sort()); // inactive east excluded
    expect(targets.integrations.find((i) => i.id === iNorth.id)).toMatchObject({ categorySync: true, balanceSync: false });
    expect(targets.integrations.find((i) => i.id === iSouth.id)).toMatchObject({ categorySync: false, balanceSync: true });
    expect(targets.priceLists).toEqual([{ id: plBound.id, integrationId: iSouth.id, syncIntervalMinutes: 30, timeZone: 'Europe/Moscow' }]);
  });
});
