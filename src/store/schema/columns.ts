/**
 * @module schema/columns
 * The column types every table shares (timestamps, flags, JSON, kopecks, generated ids).
 */
import type { ColumnType, Generated } from 'kysely';

/** ISO-8601 UTC timestamp text, e.g. `2026-11-29T09:00:00.000Z`. */
export type IsoTime = string;
/** A boolean stored as integer 0 or 1. */
export type Flag = 0 | 1;
/** JSON stored as text. */
export type JsonText = string;
/** Integer kopecks. */
export type KopecksColumn = number;
/** An auto-generated integer primary key. */
export type Id = Generated<number>;
/** A flag with a database default. */
export type FlagWithDefault = ColumnType<Flag, Flag | undefined, Flag>;
/** E6 (migration 0024): the row's searchable fields folded by `searchTextOf` (src/domain/search-text.ts). */
export type SearchTextColumn = ColumnType<string | null, string | null | undefined, string | null>;
