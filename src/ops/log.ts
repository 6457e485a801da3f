import { kernels } from '../tensor/index.js';
import { defineOp } from './op.js';
import { pointwiseGrad } from './grad-util.js';

/**
 * Elementwise natural logarithm: log 0 = −inf, log of a negative number is NaN (as torch.log).
 *
 * Forward: `out = ln x`. Backward: `∂x = g / x` (+inf at x = 0 for g > 0, as PyTorch).
 *
 * @example
 * log(tensor([1, Math.E]));             // [0, 1]
 * probs.pipe(log());
 */
export const log = defineOp({
  name: 'log',
  arity: 1,
  recyclable: true,
  forward: ([x]) => kernels.unary(x, Math.log),
  backward: (g, { inputs: [x] }, needs) => [needs[0] ? pointwiseGrad(g, x, x, (gv, xv) => gv / xv) : null],
});
