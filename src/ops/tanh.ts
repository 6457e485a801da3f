import { kernels } from '../tensor/index.js';
import { defineOp } from './op.js';
import { pointwiseGrad } from './grad-util.js';

/**
 * The hyperbolic tangent, elementwise (Math.tanh saturates to ±1 without overflow).
 *
 * Forward: `out = tanh x`. Backward: `∂x = g·(1 − y²)`, from the saved output y.
 *
 * @example
 * tanh(tensor([0]));                    // [0]
 * x.pipe(matmul(W), add(b), tanh());
 */
export const tanh = defineOp({
  name: 'tanh',
  arity: 1,
  forward: ([x]) => kernels.unary(x, Math.tanh),
  backward: (g, { inputs: [x], output }, needs) => [needs[0] ? pointwiseGrad(g, x, output, (gv, y) => gv * (1 - y * y)) : null],
});
