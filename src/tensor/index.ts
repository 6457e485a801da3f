/**
 * The numeric core: tensors and the kernels that compute on them. Knows nothing of gradients or
 * streams.
 */
export * from './dtype.js';
export * from './shape.js';
export * from './tensor.js';
export * from './create.js';
export * from './random.js';
export * from './close.js';
export * as kernels from './kernels.js';
