/** The numeric layers the graph builds on (tensor core and ops), in one import. */
export * from './tensor/index.js';
export * from './ops/index.js';
