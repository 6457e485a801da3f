import { kernels } from '../tensor/index.js';
import { defineOp } from './op.js';
import { pointwiseGrad } from './grad-util.js';

/**
 * Elementwise negation.
 *
 * Forward: `out = −x`. Backward: `∂x = −g`.
 *
 * @example
 * neg(tensor([1, -2]));                 // [-1, 2]
 * loss.pipe(neg());                     // maximise instead of minimise
 */
export const neg = defineOp({
  name: 'neg',
  arity: 1,
  recyclable: true,
  forward: ([x]) => kernels.neg(x),
  backward: (g, { inputs: [x] }, needs) => [needs[0] ? pointwiseGrad(g, x, g, (gv) => -gv) : null],
});
