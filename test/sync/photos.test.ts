/**
 * Photo sync (R1, R18) against the emulator's demo images and the media route, on SQLite and
 * PostgreSQL: fetched once, not again, replaced when changed, removed when removed, same bytes
 * stored once, MoySklad's order kept.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Hono } from 'hono';
import { afterEach, describe, expect, it } from 'vitest';
import { makePng } from '../../src/emulator/index.js';
import type { ImageRec } from '../../src/emulator/state/types.js';
import { MoySkladClient } from '../../src/moysklad/client.js';
import { mountMediaRoutes } from '../../src/server/routes/media.routes.js';
import { BlobStore } from '../../src/sync/photos/blob-store.js';
import { runPhotoSync } from '../../src/sync/photos/photo-sync.js';
import { recordRun } from '../../src/sync/sync-run.js';
import type { DialectName } from '../../src/store/database.js';
import { postgresUnavailableReason } from '../helpers/databases.js';
import { createSyncFixture, type SyncFixture } from '../helpers/sync-fixture.js';
import { lastRun, runKind } from './nomenclature-helpers.js';

const pgSkip = postgresUnavailableReason();
const fixtures: SyncFixture[] = [];
afterEach(async () => {
  while (fixtures.length) await fixtures.pop()?.dispose();
});

async function fixture(dialect: DialectName, importPhotos: 0 | 1 = 1): Promise<SyncFixture> {
  const fx = await createSyncFixture({ dialect, emulator: { limits: false }, integration: { importPhotos } });
  fixtures.push(fx);
  fx.clock.advance(5 * 60_000);
  return fx;
}

const imagesOf = (fx: SyncFixture, productId: string): ImageRec[] => (fx.emulator.account('admin@demo').product(productId)?.f.images as ImageRec[] | undefined) ?? [];

async function storedImages(fx: SyncFixture, msId: string) {
  return fx.db
    .selectFrom('productImages')
    .innerJoin('products', 'products.id', 'productImages.productId')
    .select(['productImages.position', 'productImages.filename', 'productImages.blobHash', 'productImages.thumbBlobHash', 'productImages.msImageId'])
    .where('products.msId', '=', msId)
    .orderBy('productImages.position')
    .execute();
}

for (const dialect of ['sqlite', 'postgres'] as const) {
  const block = dialect === 'postgres' && pgSkip ? describe.skip : describe;
  block(`photo sync (${dialect}${dialect === 'postgres' && pgSkip ? `, SKIPPED: ${pgSkip}` : ''})`, () => {
    it('R18 imports no photo and asks MoySklad nothing while the photos option is off', async () => {
      const fx = await fixture(dialect, 0);
      await runKind(fx, 'nomenclature.full');
      const out = await runKind(fx, 'photos');
      expect(out.message).toContain('off');
      expect((await lastRun(fx, 'photos')).requests).toBe(0);
      expect(await fx.db.selectFrom('blobs').selectAll().execute()).toEqual([]);
      expect(await fx.db.selectFrom('productImages').selectAll().execute()).toEqual([]);
    });

    it('R18 fetches every demo image once, in MoySklad order, and does not fetch them again on the next run', async () => {
      const fx = await fixture(dialect);
      await runKind(fx, 'nomenclature.full');
      const run = await lastRun(fx, 'photos');
      const a = fx.emulator.account('admin@demo');
      const withImages = a.listProducts().filter((p) => imagesOf(fx, p.id).length > 0);
      const imageCount = withImages.reduce((n, p) => n + imagesOf(fx, p.id).length, 0);
      expect(withImages.length).toBeGreaterThan(10);
      expect(run.counts).toMatchObject({ listed: withImages.length, downloaded: imageCount });
      // The images of up to 100 products per list request (one per 1,000-product store batch that has
      // any: 2,1xx products → at most 3) and one download of each image (its miniature comes from the
      // file host, no API request); the 2,000 products without images cost nothing.
      const listRequests = run.requests - imageCount;
      expect(listRequests).toBeGreaterThanOrEqual(1);
      expect(listRequests).toBeLessThanOrEqual(3);

      for (const p of withImages) {
        const ms = imagesOf(fx, p.id);
        const stored = await storedImages(fx, p.id);
        expect(stored.map((s) => s.filename)).toEqual(ms.map((m) => m.filename));
        expect(stored.map((s) => s.position)).toEqual(ms.map((_, i) => i));
        for (const [i, s] of stored.entries()) {
          const blob = await fx.db.selectFrom('blobs').selectAll().where('hash', '=', s.blobHash ?? '').executeTakeFirstOrThrow();
          const onDisk = fs.readFileSync(path.join(fx.database.dataDir, blob.path));
          expect(Buffer.compare(onDisk, Buffer.from(a.files.get(ms[i]?.fileId ?? '')?.bytes ?? []))).toBe(0);
          expect(blob.mime).toBe('image/png');
        }
      }

      fx.clock.advance(60_000);
      const second = await runKind(fx, 'photos');
      expect(second.counts?.downloaded ?? 0).toBe(0);
      expect((await lastRun(fx, 'photos')).requests).toBe(0);
      // An incremental nomenclature pass with nothing changed lists no images either.
      await runKind(fx, 'nomenclature.incremental');
      expect((await lastRun(fx, 'photos')).requests).toBe(0);
    });

    it('R18 replaces a photo changed in MoySklad, removes a removed one (and its file), and stores the same bytes once', async () => {
      const fx = await fixture(dialect);
      await runKind(fx, 'nomenclature.full');
      const a = fx.emulator.account('admin@demo');
      const multi = a.listProducts().find((p) => imagesOf(fx, p.id).length >= 2);
      const single = a.listProducts().find((p) => imagesOf(fx, p.id).length === 1);
      const synced = new Set((await fx.db.selectFrom('products').select('msId').where('syncState', '=', 'ok').execute()).map((r) => r.msId));
      const bare = a.listProducts().filter((p) => imagesOf(fx, p.id).length === 0 && synced.has(p.id));
      if (!multi || !single || bare.length < 2) throw new Error('demo seed lacks images');
      const before = await storedImages(fx, multi.id);
      const removedHash = before[0]?.blobHash ?? '';
      const removedPath = (await fx.db.selectFrom('blobs').select('path').where('hash', '=', removedHash).executeTakeFirstOrThrow()).path;

      fx.clock.advance(60_000);
      // multi: drop the first image, keep the second; single: replace its image with new bytes;
      // two bare products get the same new bytes.
      const [, ...rest] = imagesOf(fx, multi.id);
      a.updateEntity('product', multi.id, { images: rest });
      a.updateEntity('product', single.id, { images: [] });
      a.addImage(single.id, 'replaced.png', makePng(4242, 40));
      const shared = makePng(777, 32);
      a.addImage(bare[0]?.id ?? '', 'same.png', shared);
      a.addImage(bare[1]?.id ?? '', 'same-again.png', shared);
      fx.clock.advance(60_000);

      await runKind(fx, 'nomenclature.incremental');
      const run = await lastRun(fx, 'photos');
      // 4 changed products listed in one request; 3 new images downloaded (miniatures from the file host); the kept image is not.
      expect(run.counts).toMatchObject({ listed: 4, downloaded: 3, unchanged: rest.length, removed: 2 });
      expect(run.requests).toBe(1 + 3);

      const after = await storedImages(fx, multi.id);
      expect(after.map((s) => s.filename)).toEqual(rest.map((r) => r.filename));
      expect(after.map((s) => s.blobHash)).toEqual(before.slice(1).map((s) => s.blobHash));
      expect((await storedImages(fx, single.id)).map((s) => s.filename)).toEqual(['replaced.png']);
      // The removed image's file is gone (no other image used the same bytes).
      expect(await fx.db.selectFrom('blobs').select('hash').where('hash', '=', removedHash).executeTakeFirst()).toBeUndefined();
      expect(fs.existsSync(path.join(fx.database.dataDir, removedPath))).toBe(false);
      // Same bytes on two products: one blob.
      const s0 = await storedImages(fx, bare[0]?.id ?? '');
      const s1 = await storedImages(fx, bare[1]?.id ?? '');
      expect(s0[0]?.blobHash).toBe(s1[0]?.blobHash);
      expect(await fx.db.selectFrom('blobs').select('hash').where('hash', '=', s0[0]?.blobHash ?? '').execute()).toHaveLength(1);
    });

    it('R18 removes the photos (and files) of a product deleted in MoySklad after the full pass that sees it gone', async () => {
      const fx = await fixture(dialect);
      await runKind(fx, 'nomenclature.full');
      const a = fx.emulator.account('admin@demo');
      const victim = a.listProducts().find((p) => imagesOf(fx, p.id).length > 0);
      if (!victim) throw new Error('demo seed lacks images');
      const hashes = (await storedImages(fx, victim.id)).map((s) => s.blobHash ?? '');
      expect(hashes.length).toBeGreaterThan(0);
      a.deleteProduct(victim.id);
      fx.clock.advance(60_000);
      await runKind(fx, 'nomenclature.full');
      expect(await storedImages(fx, victim.id)).toEqual([]);
      expect(await fx.db.selectFrom('blobs').select('hash').where('hash', 'in', hashes).execute()).toEqual([]);
      expect((await lastRun(fx, 'photos')).counts.removed).toBe(hashes.length);
    });

    it('R18 one API request per new image plus one per 100 products listed, none for unchanged ones; thumbnails from the file host without Authorization', async () => {
      const fx = await fixture(dialect, 0);
      await runKind(fx, 'nomenclature.full');
      const a = fx.emulator.account('admin@demo');
      // 150 more products get one image each (an update MoySklad reports through `updated`).
      fx.clock.advance(60_000);
      const noImages = a.listProducts().filter((p) => imagesOf(fx, p.id).length === 0);
      for (const [i, p] of noImages.slice(0, 150).entries()) a.addImage(p.id, `extra-${i}.png`, makePng(5000 + i));
      fx.clock.advance(60_000);
      await runKind(fx, 'nomenclature.incremental');
      // (demo products the nomenclature rules skip are not in the catalog and have no photos synced)
      const synced = new Set((await fx.db.selectFrom('products').select('msId').where('syncState', '=', 'ok').execute()).map((r) => r.msId));
      const withImages = a.listProducts().filter((p) => synced.has(p.id) && imagesOf(fx, p.id).length > 0);
      const imageCount = withImages.reduce((n, p) => n + imagesOf(fx, p.id).length, 0);
      expect(withImages.length).toBeGreaterThan(150);

      // Our client over a fetch that records what reached which host.
      const apiOrigin = new URL(fx.emulator.apiBaseUrl).origin;
      const seen: Array<{ url: URL; auth: boolean }> = [];
      let inFlight = 0;
      let peakDownloads = 0;
      const recording: typeof fetch = async (input, init) => {
        const url = new URL(input instanceof Request ? input.url : String(input));
        seen.push({ url, auth: new Headers(init?.headers).has('authorization') });
        const download = url.pathname.includes('/download/');
        if (download) peakDownloads = Math.max(peakDownloads, ++inFlight);
        try {
          return await fx.emulator.fetch(input, init);
        } finally {
          if (download) inFlight -= 1;
        }
      };
      const client = new MoySkladClient({ baseUrl: fx.emulator.apiBaseUrl, credentials: { kind: 'password', login: 'admin@demo', password: 'demo' }, fetch: recording, clock: fx.clock });
      const blobs = new BlobStore(fx.db, fx.clock, fx.database.dataDir);
      const sync = () =>
        recordRun(fx.runDeps, { kind: 'photos', trigger: 'manual', integrationId: fx.integrationId }, async (run) => {
          await runPhotoSync({ db: fx.db, clock: fx.clock, blobs }, { msAccountId: fx.msAccountId, client }, run, { batchSize: 10_000 }); // counts itself
          return { status: 'ok' };
        });
      const before = fx.emulator.stats().requests;
      const first = await sync();
      expect(first.counts).toMatchObject({ listed: withImages.length, downloaded: imageCount });

      const api = seen.filter((r) => r.url.origin === apiOrigin);
      const fileHost = seen.filter((r) => r.url.origin !== apiOrigin);
      // one store batch: ⌈products with images ÷ 100⌉ list requests + 1 download per image, nothing else
      expect(api.filter((r) => r.url.pathname.endsWith('/entity/product'))).toHaveLength(Math.ceil(withImages.length / 100));
      expect(api.filter((r) => r.url.pathname.includes('/download/'))).toHaveLength(imageCount);
      expect(api).toHaveLength(Math.ceil(withImages.length / 100) + imageCount);
      expect(fx.emulator.stats().requests - before).toBe(api.length);
      expect(api.every((r) => r.auth)).toBe(true);
      // the file host: each image's signed link and its miniature, never with Authorization
      expect(fileHost.filter((r) => r.url.pathname.startsWith('/files/'))).toHaveLength(imageCount);
      expect(fileHost.filter((r) => r.url.pathname.startsWith('/miniature/'))).toHaveLength(imageCount);
      expect(fileHost.every((r) => !r.auth)).toBe(true);
      // downloads ran a few at a time
      expect(peakDownloads).toBe(3);

      // every image has its thumbnail: the bytes the miniature URL serves
      for (const p of withImages.slice(0, 20)) {
        const listed = await client.productImages(p.id);
        for (const [i, s] of (await storedImages(fx, p.id)).entries()) {
          const mini = Buffer.from(await (await fx.emulator.fetch(listed[i]?.miniature?.downloadHref ?? '')).arrayBuffer());
          const thumb = await blobs.get(s.thumbBlobHash ?? '');
          expect(thumb && Buffer.compare(thumb.bytes, mini)).toBe(0);
        }
      }

      seen.length = 0;
      fx.clock.advance(60_000);
      const second = await sync();
      expect(second.counts.downloaded ?? 0).toBe(0);
      expect(seen).toEqual([]);
    });

    it('R18 an image that cannot be downloaded fails its product only (counted, logged, retried on the next pass); the others are synced', async () => {
      const fx = await fixture(dialect);
      const a = fx.emulator.account('admin@demo');
      const victim = a.listProducts().find((p) => imagesOf(fx, p.id).length === 1);
      if (!victim) throw new Error('demo seed lacks images');
      const fileId = imagesOf(fx, victim.id)[0]?.fileId ?? '';
      const bytes = a.files.get(fileId);
      a.files.delete(fileId); // the download answers 404 for this one image
      await runKind(fx, 'nomenclature.full');
      const run = await lastRun(fx, 'photos');
      expect(run.status).toBe('partial');
      expect(run.counts.failed).toBe(1);
      expect(run.counts.downloaded).toBeGreaterThan(10);
      expect(await storedImages(fx, victim.id)).toEqual([]);
      expect(fx.log.messages('warn').some((m) => m.includes(victim.id))).toBe(true);
      // the file is back: the next pass retries only that product
      if (bytes) a.files.set(fileId, bytes);
      await runKind(fx, 'photos');
      const retry = await lastRun(fx, 'photos');
      expect(retry.counts).toMatchObject({ listed: 1, downloaded: 1 });
      expect(retry.counts.failed ?? 0).toBe(0);
      expect(retry.requests).toBe(2);
      expect((await storedImages(fx, victim.id)).map((s) => s.thumbBlobHash !== null)).toEqual([true]);
    });

    it('R1 serves stored photos and their thumbnails over HTTP', async () => {
      const fx = await fixture(dialect);
      await runKind(fx, 'nomenclature.full');
      const app = new Hono();
      mountMediaRoutes(app, { db: fx.db, clock: fx.clock, dataDir: fx.database.dataDir });
      const img = await fx.db.selectFrom('productImages').selectAll().limit(1).executeTakeFirstOrThrow();
      const res = await app.request(`/media/${img.blobHash ?? ''}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('image/png');
      expect(res.headers.get('cache-control')).toContain('immutable');
      const blob = await fx.db.selectFrom('blobs').selectAll().where('hash', '=', img.blobHash ?? '').executeTakeFirstOrThrow();
      expect(Buffer.compare(Buffer.from(await res.arrayBuffer()), fs.readFileSync(path.join(fx.database.dataDir, blob.path)))).toBe(0);
      const thumb = await app.request(`/media/${img.blobHash ?? ''}/thumb`);
      expect(thumb.status).toBe(200);
      expect(thumb.headers.get('etag')).toBe(`"${img.thumbBlobHash ?? ''}"`);
      expect((await app.request(`/media/${'0'.repeat(64)}`)).status).toBe(404);
      expect((await app.request('/media/..%2F..%2Fetc%2Fpasswd')).status).toBe(404);
      const cached = await app.request(`/media/${img.blobHash ?? ''}`, { headers: { 'If-None-Match': `"${img.blobHash ?? ''}"` } });
      expect(cached.status).toBe(304);
    });
  });
}
