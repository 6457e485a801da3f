/**
 * rxgrad: backpropagation as reactive dataflow.
 */
export * from './tensor/index.js';
export * from './ops/index.js';
export * from './graph/index.js';
