export * from './client-balance.js';
export * from './balance-sync.js';
export * from './balance-sync-kinds.js';
