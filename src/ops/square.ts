import { kernels } from '../tensor/index.js';
import { defineOp } from './op.js';
import { pointwiseGrad } from './grad-util.js';

/**
 * Elementwise square.
 *
 * Forward: `out = x²`. Backward: `∂x = 2x·g`.
 *
 * @example
 * square(tensor([-3, 2]));              // [9, 4]
 * residual.pipe(square(), mean());       // a mean squared error by hand
 */
export const square = defineOp({
  name: 'square',
  arity: 1,
  recyclable: true,
  forward: ([x]) => kernels.unary(x, (v) => v * v),
  backward: (g, { inputs: [x] }, needs) => [needs[0] ? pointwiseGrad(g, x, x, (gv, xv) => 2 * xv * gv) : null],
});
