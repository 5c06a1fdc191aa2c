/**
 * @module moysklad
 * The typed MoySklad JSON API 1.2 client (see docs/moysklad-client.md).
 */
export * from './client.js';
export * from './errors.js';
export * from './limiter.js';
export * from './query.js';
export * from './schemas/index.js';
