/**
 * @module media.routes
 * R1: the product photos the photo sync stored (content-addressed under DATA_DIR), served by the
 * service itself so the store never talks to MoySklad's file host.
 *
 * - `GET /media/{sha256}` — the image bytes, `Cache-Control: immutable` (the URL is the content).
 * - `GET /media/{sha256}/thumb` — its thumbnail: the miniature MoySklad rendered for that image
 *   (downloaded by the photo sync; no image library runs in the service). When no miniature was
 *   stored the original is served with `X-Thumbnail: original`, and the client scales it.
 * Public (no token): the hashes are unguessable and the content is catalogue photos.
 */
import type { Context, Hono } from 'hono';
import type { Kysely } from 'kysely';
import type { Clock } from '../../core/clock.js';
import { PhotoRepository } from '../../store/repositories/photo-repository.js';
import type { Database } from '../../store/schema.js';
import { BlobStore, isBlobHash } from '../../sync/photos/blob-store.js';
import { errorBody } from '../error-handler.js';

export interface MediaRoutesDeps {
  db: Kysely<Database>;
  clock: Clock;
  /** DATA_DIR (blobs live under `<dataDir>/blobs`). */
  dataDir: string;
}

const IMMUTABLE = 'public, max-age=31536000, immutable';

export function mountMediaRoutes(app: Hono, deps: MediaRoutesDeps): void {
  const blobs = new BlobStore(deps.db, deps.clock, deps.dataDir);
  const photos = new PhotoRepository(deps.db, deps.clock);

  const send = async (c: Context, hash: string, extra: Record<string, string> = {}): Promise<Response> => {
    if (c.req.header('if-none-match') === `"${hash}"`) return c.body(null, 304, { ETag: `"${hash}"`, 'Cache-Control': IMMUTABLE });
    const blob = await blobs.get(hash);
    if (!blob) return c.json(errorBody('not_found', 'no such image'), 404);
    return c.body(new Uint8Array(blob.bytes), 200, {
      'Content-Type': blob.mime,
      'Content-Length': String(blob.size),
      'Cache-Control': IMMUTABLE,
      ETag: `"${hash}"`,
      'X-Content-Type-Options': 'nosniff',
      ...extra,
    });
  };

  app.get('/media/:hash', (c) => {
    const hash = c.req.param('hash');
    if (!isBlobHash(hash)) return c.json(errorBody('not_found', 'no such image'), 404);
    return send(c, hash);
  });

  app.get('/media/:hash/thumb', async (c) => {
    const hash = c.req.param('hash');
    if (!isBlobHash(hash)) return c.json(errorBody('not_found', 'no such image'), 404);
    const thumb = await photos.thumbnailOf(hash);
    if (thumb) return send(c, thumb);
    return send(c, hash, { 'X-Thumbnail': 'original' });
  });
}
