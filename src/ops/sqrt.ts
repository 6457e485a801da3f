import { kernels } from '../tensor/index.js';
import { defineOp } from './op.js';
import { pointwiseGrad } from './grad-util.js';

/**
 * Elementwise square root (NaN for x < 0, as torch.sqrt).
 *
 * Forward: `out = √x`. Backward: `∂x = g / (2√x)`, from the saved output.
 *
 * NOTE: at x = 0 the gradient is +inf (g > 0), as in PyTorch; a norm built as sqrt(sum(x²)) has an
 * infinite gradient at the origin, so add an epsilon inside the root where x can vanish.
 *
 * @example
 * sqrt(tensor([4, 9]));                 // [2, 3]
 * variance.pipe(sqrt());
 */
export const sqrt = defineOp({
  name: 'sqrt',
  arity: 1,
  recyclable: true,
  forward: ([x]) => kernels.unary(x, Math.sqrt),
  backward: (g, { inputs: [x], output }, needs) => [needs[0] ? pointwiseGrad(g, x, output, (gv, y) => gv / (2 * y)) : null],
});
