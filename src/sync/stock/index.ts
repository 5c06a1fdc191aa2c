export * from './product-prices.js';
export * from './stock-sync.js';
export * from './stock-sync-kinds.js';
