/**
 * @module schema/catalog
 * Products, images, blobs, categories, MoySklad folders, data-quality issues.
 */
import type { ColumnType } from 'kysely';
import type { IsoTime, JsonText, Id, FlagWithDefault, SearchTextColumn } from './columns.js';

export type ProductSyncState = 'ok' | 'skipped';
/** C2: what a catalog item is in MoySklad (`entity/product` or `entity/variant`). */
export type ProductKind = 'product' | 'variant';

/** The store's product directory (R15), per MoySklad account. */
export interface ProductsTable {
  id: Id;
  msAccountId: number;
  msId: string;
  brand: string;
  brandNorm: string;
  article: string;
  articleNorm: string;
  code: string | null;
  name: string;
  description: string | null;
  /**
   * Not written since migration 0013 (always null): a product's category depends on the integration
   * (C8) and is derived when read, see `CatalogScopeRepository`.
   */
  categoryId: number | null;
  msFolderId: string | null;
  archived: FlagWithDefault;
  deleted: FlagWithDefault;
  /** MoySklad `updated`, converted to ISO UTC. */
  msUpdated: IsoTime | null;
  syncState: ColumnType<ProductSyncState, ProductSyncState | undefined, ProductSyncState>;
  skipReason: string | null;
  /**
   * Migration 0003: MoySklad sale prices as JSON text `[{priceTypeId, name, value}]` (kopecks, MoySklad's
   * order); null = not read yet. See `src/sync/stock/product-prices.ts`.
   */
  salePrices: ColumnType<JsonText | null, JsonText | null | undefined, JsonText | null>;
  /** Migration 0005: start of the full pass that last saw the product in MoySklad. */
  msSeenAt: ColumnType<IsoTime | null, IsoTime | null | undefined, IsoTime | null>;
  /** Migration 0005: `images.meta.size` of the product in MoySklad. */
  msImageCount: ColumnType<number | null, number | null | undefined, number | null>;
  /** Migration 0005: MoySklad `updated` (ISO) at which the product's images were last synced. */
  photosMsUpdated: ColumnType<IsoTime | null, IsoTime | null | undefined, IsoTime | null>;
  /** Migration 0011 (C2): `product` or `variant`; positions reference a variant as `variant`. */
  kind: ColumnType<ProductKind, ProductKind | undefined, ProductKind>;
  /** Migration 0011 (C2): for a variant, its parent product's MoySklad id. */
  parentMsId: ColumnType<string | null, string | null | undefined, string | null>;
  /** Migration 0024 (E6): `searchTextOf(name, code, brand, article)`, set by every writer of the row. */
  searchText: SearchTextColumn;
  /**
   * Migration 0013 (C2): 1 = a variant without its own Code/Article, catalogued with its parent's
   * brand and article (never a duplicate of its family).
   */
  keyFromParent: FlagWithDefault;
  createdAt: IsoTime;
  updatedAt: IsoTime;
}

export interface ProductImagesTable {
  id: Id;
  productId: number;
  position: number;
  msImageId: string | null;
  filename: string;
  size: number | null;
  msUpdated: IsoTime | null;
  blobHash: string | null;
  /** Migration 0005: SHA-256 of the MoySklad miniature (thumbnail), when one was downloaded. */
  thumbBlobHash: ColumnType<string | null, string | null | undefined, string | null>;
}

/** Content-addressed files under DATA_DIR. */
export interface BlobsTable {
  /** SHA-256 hex of the content. */
  hash: string;
  size: number;
  mime: string | null;
  /** Path relative to DATA_DIR. */
  path: string;
  createdAt: IsoTime;
}

/** Site categories as a tree (R2, R22). */
export interface CategoriesTable {
  id: Id;
  parentId: number | null;
  name: string;
  msAccountId: number | null;
  msFolderId: string | null;
  /** Migration 0013 (C8): the integration whose tree a folder category belongs to; null for the store's own categories. */
  integrationId: ColumnType<number | null, number | null | undefined, number | null>;
  archived: FlagWithDefault;
  createdAt: IsoTime;
  updatedAt: IsoTime;
}

/** B5 products that could not be synced, with the reason. */
export interface DataQualityIssuesTable {
  id: Id;
  msAccountId: number;
  msProductId: string;
  code: string | null;
  article: string | null;
  name: string | null;
  reason: string;
  message: string;
  runId: number | null;
  detectedAt: IsoTime;
  /** Migration 0026 (E4): `product` or `variant` (which MoySklad web card to link); null = product. */
  msType: ColumnType<string | null, string | null | undefined, string | null>;
  /** Migration 0013 (C5): the item's MoySklad folder (a variant's: its product's), null when unknown. */
  msFolderId: ColumnType<string | null, string | null | undefined, string | null>;
}

/** Migration 0013 (C5): the MoySklad folder tree of an account. */
export interface MsFoldersTable {
  id: Id;
  msAccountId: number;
  msId: string;
  parentMsId: string | null;
  name: string;
  /** Ids from the top folder down to this one: `/top/…/self/`. */
  path: string;
  archived: FlagWithDefault;
  updatedAt: IsoTime;
}
