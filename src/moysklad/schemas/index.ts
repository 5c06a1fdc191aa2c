/** @module moysklad/schemas — zod schemas of the MoySklad responses the module reads. */
export * from './meta.js';
export * from './list.js';
export * from './error.js';
export * from './organization.js';
export * from './store.js';
export * from './productfolder.js';
export * from './price.js';
export * from './image.js';
export * from './product.js';
export * from './variant.js';
export * from './assortment.js';
export * from './counterparty.js';
export * from './order.js';
export * from './webhook.js';
export * from './stock.js';
export * from './counterparty-report.js';
export * from './token.js';
