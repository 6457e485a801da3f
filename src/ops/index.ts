/** Differentiable ops: each declared once by {@link defineOp}, all listed in {@link registry}. */
export * from './op.js';
export * from './op-error.js';
export * from './symbolic.js';
export * from './registry.js';
export { add } from './add.js';
export { matmul } from './matmul.js';
export { mse } from './mse.js';
export { sigmoid } from './sigmoid.js';
export { sum, type ReductionAttrs } from './sum.js';
export type { LossAttrs, Reduction } from './loss-util.js';
