import { type Shape, type Tensor, kernels, normalizeAxes, reducedShape } from '../tensor/index.js';
import { defineOp } from './op.js';

/** Attributes of the reductions `sum`, `mean` and `max`. */
export interface ReductionAttrs {
  /** Axes to reduce (negative counts from the end); all axes when omitted. */
  axes?: number | readonly number[];
  /** Keep reduced axes as size-1 dimensions. Default false. */
  keepdims?: boolean;
}

/** The gradient of a reduction's output, reshaped with unit dims so it broadcasts over the input. */
export function expandReduced(g: Tensor, inputShape: Shape, attrs: ReductionAttrs): Tensor {
  const axes = normalizeAxes(attrs.axes, inputShape.length);
  return kernels.reshape(g, reducedShape(inputShape, axes, true));
}

/**
 * Sum over axes.
 *
 * Forward: `out = Σ_axes x`. Backward: `∂x = g` broadcast back over the reduced axes.
 *
 * @example
 * sum(tensor([[1, 2], [3, 4]]), { axes: 1 });   // [3, 7]
 * loss.pipe(sum());                              // a scalar
 */
export const sum = defineOp<ReductionAttrs, 1>({
  name: 'sum',
  arity: 1,
  recyclable: true,
  forward: ([x], attrs) => kernels.sum(x, attrs),
  backward: (g, { inputs: [x], attrs }, needs) => [
    needs[0] ? kernels.broadcastTo(expandReduced(g, x.shape, attrs), x.shape).astype(x.dtype) : null,
  ],
});
