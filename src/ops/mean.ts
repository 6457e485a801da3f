import { kernels, normalizeAxes } from '../tensor/index.js';
import { defineOp } from './op.js';
import { type ReductionAttrs, expandReduced } from './sum.js';

/**
 * Arithmetic mean over axes (NaN over an empty axis, 0/0, as PyTorch).
 *
 * Forward: `out = Σ_axes x / N`, N the number of elements reduced into each output.
 * Backward: `∂x = g / N` broadcast back over the reduced axes.
 *
 * @example
 * mean(tensor([[1, 2], [3, 4]]), { axes: 0 });   // [2, 3]
 * errors.pipe(square(), mean());                  // a scalar
 */
export const mean = defineOp<ReductionAttrs, 1>({
  name: 'mean',
  arity: 1,
  recyclable: true,
  forward: ([x], attrs) => kernels.mean(x, attrs),
  backward: (g, { inputs: [x], attrs }, needs) => {
    if (!needs[0]) return [null];
    let count = 1;
    for (const a of normalizeAxes(attrs.axes, x.rank, 'mean')) count *= x.shape[a]!;
    const spread = kernels.broadcastTo(expandReduced(g, x.shape, attrs), x.shape);
    return [kernels.scale(spread, 1 / count).astype(x.dtype)];
  },
});
