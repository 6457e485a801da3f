import { kernels } from '../tensor/index.js';
import { defineOp } from './op.js';
import { pointwiseGrad } from './grad-util.js';

/**
 * Elementwise natural exponential (overflows to +inf above x ≈ 709.78, as Math.exp).
 *
 * Forward: `out = eˣ`. Backward: `∂x = g·eˣ`, from the saved output.
 *
 * @example
 * exp(tensor([0, 1]));                  // [1, 2.718281828459045]
 * logits.pipe(exp());
 */
export const exp = defineOp({
  name: 'exp',
  arity: 1,
  recyclable: true,
  forward: ([x]) => kernels.unary(x, Math.exp),
  backward: (g, { inputs: [x], output }, needs) => [needs[0] ? pointwiseGrad(g, x, output, (gv, y) => gv * y) : null],
});
