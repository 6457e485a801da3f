import { kernels } from '../tensor/index.js';
import { defineOp } from './op.js';
import { pointwiseGrad } from './grad-util.js';

/** tanh'(x) = 1 − tanh²x = 4e^(−2|x|) / (1 + e^(−2|x|))², exact in both tails. */
function tanhSlope(x: number): number {
  const e = Math.exp(-2 * Math.abs(x)), d = 1 + e;
  return (4 * e) / (d * d);
}

/**
 * The hyperbolic tangent, elementwise (Math.tanh saturates to ±1 without overflow).
 *
 * Forward: `out = tanh x`. Backward: `∂x = g·(1 − tanh²x)`.
 *
 * NOTE: the slope is computed from x, not as 1 − y² from the saved output, which rounds to 0 once
 * y rounds to ±1 (|x| > 19) while the true slope is still about 4e^(−2|x|).
 *
 * @example
 * tanh(tensor([0]));                    // [0]
 * x.pipe(matmul(W), add(b), tanh());
 */
export const tanh = defineOp({
  name: 'tanh',
  arity: 1,
  recyclable: true,
  forward: ([x]) => kernels.unary(x, Math.tanh),
  backward: (g, { inputs: [x] }, needs) => [needs[0] ? pointwiseGrad(g, x, x, (gv, xv) => gv * tanhSlope(xv)) : null],
});
