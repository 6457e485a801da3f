import { kernels } from '../tensor/index.js';
import { defineOp } from './op.js';

export interface ReshapeAttrs {
  /** The new shape (required); one dimension may be -1, inferred from the size. */
  shape: readonly number[];
}

function shapeOf(attrs: ReshapeAttrs): readonly number[] {
  if (!Array.isArray(attrs.shape)) throw new TypeError(`reshape: attrs.shape must be an array of dimensions, got ${String(attrs.shape)}`);
  return attrs.shape;
}

/**
 * The same elements, in row-major order, under another shape. Shares the input's storage (safe:
 * tensors are never written after creation).
 *
 * Forward: `out = x` viewed as `shape`. Backward: `∂x = g` viewed as x's shape.
 *
 * @example
 * reshape(tensor([1, 2, 3, 4]), { shape: [2, -1] });     // [[1, 2], [3, 4]]
 * images.pipe(reshape({ shape: [-1, 784] }));              // flatten
 */
export const reshape = defineOp<ReshapeAttrs, 1>({
  name: 'reshape',
  arity: 1,
  recyclable: true,
  forward: ([x], attrs) => kernels.reshape(x, shapeOf(attrs)),
  backward: (g, { inputs: [x] }, needs) => [needs[0] ? kernels.reshape(g, x.shape).astype(x.dtype) : null],
});
