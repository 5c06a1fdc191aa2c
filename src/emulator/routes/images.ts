/**
 * @module images
 * `/entity/product/{id}/images` (list, upload with base64 `content`, ≤ 10) and
 * `/download/{fileId}` → 302 to a short-lived URL on the file host (REFERENCE §4.4, VERIFIED #15);
 * `/download/{fileId}?miniature=true` (`miniature.href`) → 302 to the miniature's stable file-host URL.
 */

import { MsError, msErrors } from '../http/ms-error.js';
import { serializeImage, type ImageUrls } from '../state/serialize.js';
import type { ImageRec } from '../state/types.js';
import type { ApiRequest, ApiResult } from './api-types.js';
import { listEnvelope, pagingOf } from './list-response.js';
import { imagesFromInput } from './input-values.js';
import { mustFind } from './entity.js';

export function listImages(req: ApiRequest, productId: string): ApiResult {
  const e = mustFind(req, 'product', productId);
  const paging = pagingOf(req);
  const images = (e.f.images as ImageRec[] | undefined) ?? [];
  const page = images.slice(paging.offset, paging.offset + paging.limit).map((img) => serializeImage(req.ctx, e.id, img));
  return { status: 200, body: listEnvelope(req, `entity/product/${e.id}/images`, 'image', images.length, paging, page), rows: page.length };
}

export function uploadImages(req: ApiRequest, productId: string): ApiResult {
  const e = mustFind(req, 'product', productId);
  const items = Array.isArray(req.body) ? req.body : [req.body];
  if (items.length > 1000) throw msErrors.tooManyItems();
  const existing = (e.f.images as ImageRec[] | undefined) ?? [];
  if (existing.length + items.length > 10) throw new MsError(412, 51002, 'Превышено максимальное количество изображений (10)', 'images');
  const images = imagesFromInput(req, items, existing);
  const changed = req.account.patch(e, { images });
  req.events.push({ type: 'product', id: e.id, action: 'UPDATE', updatedFields: changed });
  return { status: 200, body: images.map((img) => serializeImage(req.ctx, e.id, img)), rows: images.length };
}

export function deleteImage(req: ApiRequest, productId: string, imageId: string): ApiResult {
  const e = mustFind(req, 'product', productId);
  const images = (e.f.images as ImageRec[] | undefined) ?? [];
  const img = images.find((i) => i.id === imageId);
  if (!img) throw msErrors.notFound('image', imageId);
  req.account.files.delete(img.fileId);
  const changed = req.account.patch(e, { images: images.filter((i) => i.id !== imageId) });
  req.events.push({ type: 'product', id: e.id, action: 'UPDATE', updatedFields: changed });
  return { status: 200 };
}

export interface FileLinks extends ImageUrls {
  /** Creates a short-lived signed URL on the file host. */
  sign(accountLogin: string, fileId: string, ttlMs: number): string;
}

export function download(req: ApiRequest, fileId: string, links: FileLinks): ApiResult {
  if (!req.account.files.has(fileId)) throw msErrors.notFound('file', fileId);
  let ttl = 60_000;
  const h = req.headers.get('x-lognex-download-expiration-seconds');
  if (h !== null) {
    const s = Number(h);
    if (!Number.isInteger(s) || s < 1 || s > 86400) throw new MsError(400, 1014, `Неверное значение заголовка X-Lognex-Download-Expiration-Seconds: '${h}'`);
    ttl = s * 1000;
  }
  // `miniature.href` (`?miniature=true`) leads to the miniature's stable file-host URL.
  if (req.query.get('miniature') === 'true') return { status: 302, headers: { location: links.miniatureUrl(req.account.accountId, fileId) } };
  return { status: 302, headers: { location: links.sign(req.account.login, fileId, ttl) } };
}
