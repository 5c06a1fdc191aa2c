export * from './product-prices.js';
export * from './price-list-swap.js';
export * from './stock-sync.js';
export * from './stock-sync-kinds.js';
