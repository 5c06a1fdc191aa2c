/**
 * @module blob-store
 * Content-addressed files under DATA_DIR: `blobs/<first two hex>/<sha256>`, one `blobs` row per
 * distinct content. The same bytes are stored once, whichever products use them.
 */
import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Kysely } from 'kysely';
import type { Clock } from '../../core/clock.js';
import { PhotoRepository } from '../../store/repositories/photo-repository.js';
import type { Database } from '../../store/schema.js';

const HASH_RE = /^[0-9a-f]{64}$/;

export const isBlobHash = (s: string): boolean => HASH_RE.test(s);

/** The media type from the first bytes (PNG, JPEG, GIF, WebP), else from the file name. */
export function sniffMime(bytes: Uint8Array, filename = ''): string {
  const b = bytes;
  if (b.length >= 8 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47) return 'image/png';
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'image/jpeg';
  if (b.length >= 6 && b[0] === 0x47 && b[1] === 0x49 && b[2] === 0x46) return 'image/gif';
  if (b.length >= 12 && b[0] === 0x52 && b[1] === 0x49 && b[2] === 0x46 && b[3] === 0x46 && b[8] === 0x57 && b[9] === 0x45 && b[10] === 0x42 && b[11] === 0x50) return 'image/webp';
  const ext = filename.toLowerCase().split('.').pop() ?? '';
  const byExt: Record<string, string> = { png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', gif: 'image/gif', webp: 'image/webp' };
  return byExt[ext] ?? 'application/octet-stream';
}

export class BlobStore {
  readonly #rows: PhotoRepository;

  constructor(
    db: Kysely<Database>,
    clock: Clock,
    private readonly dataDir: string,
  ) {
    this.#rows = new PhotoRepository(db, clock);
  }

  relPath(hash: string): string {
    return path.posix.join('blobs', hash.slice(0, 2), hash);
  }

  absPath(relPath: string): string {
    return path.join(this.dataDir, ...relPath.split('/'));
  }

  /** Stores bytes (once per content); returns the hash and whether they were new. */
  async put(bytes: Uint8Array, filename = ''): Promise<{ hash: string; created: boolean }> {
    const hash = createHash('sha256').update(bytes).digest('hex');
    const known = await this.#rows.blobPath(hash);
    const rel = known ?? this.relPath(hash);
    const abs = this.absPath(rel);
    const onDisk = await fs.stat(abs).then((s) => s.size === bytes.length, () => false);
    if (!onDisk) {
      await fs.mkdir(path.dirname(abs), { recursive: true });
      const tmp = `${abs}.${randomUUID()}.tmp`; // unique: the photo sync stores several files at once
      await fs.writeFile(tmp, bytes);
      await fs.rename(tmp, abs);
    }
    if (known === null) await this.#rows.insertBlob({ hash, size: bytes.length, mime: sniffMime(bytes, filename), path: rel });
    return { hash, created: known === null };
  }

  async get(hash: string): Promise<{ bytes: Buffer; mime: string; size: number } | null> {
    if (!isBlobHash(hash)) return null;
    const row = await this.#rows.blob(hash);
    if (!row) return null;
    try {
      const bytes = await fs.readFile(this.absPath(row.path));
      return { bytes, mime: row.mime ?? 'application/octet-stream', size: row.size };
    } catch {
      return null;
    }
  }

  /** Deletes the given blobs when no product image refers to them any more; returns how many. */
  async collect(hashes: Iterable<string>): Promise<number> {
    let n = 0;
    for (const hash of new Set(hashes)) {
      if (await this.#rows.blobInUse(hash)) continue;
      const rel = await this.#rows.blobPath(hash);
      if (rel === null) continue;
      await this.#rows.deleteBlob(hash);
      await fs.rm(this.absPath(rel), { force: true });
      n += 1;
    }
    return n;
  }
}
