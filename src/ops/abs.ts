import { kernels } from '../tensor/index.js';
import { defineOp } from './op.js';
import { pointwiseGrad } from './grad-util.js';

/** sign(x) with sign(0) = 0 and sign(NaN) = NaN. */
function sign(x: number): number {
  return x > 0 ? 1 : x < 0 ? -1 : x === 0 ? 0 : Number.NaN;
}

/**
 * Elementwise absolute value.
 *
 * Forward: `out = |x|`. Backward: `∂x = g·sign(x)`.
 *
 * NOTE: the kink at 0 gets the subgradient 0 (PyTorch's sign(0)); a central difference across 0 sees
 * 0 too, but only by symmetry: one-sided differences see ±1.
 *
 * @example
 * abs(tensor([-2, 0, 3]));              // [2, 0, 3]
 * residual.pipe(abs(), mean());          // an L1 loss by hand
 */
export const abs = defineOp({
  name: 'abs',
  arity: 1,
  recyclable: true,
  forward: ([x]) => kernels.unary(x, Math.abs),
  backward: (g, { inputs: [x] }, needs) => [needs[0] ? pointwiseGrad(g, x, x, (gv, xv) => gv * sign(xv)) : null],
});
