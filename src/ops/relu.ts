import { kernels } from '../tensor/index.js';
import { defineOp } from './op.js';
import { pointwiseGrad } from './grad-util.js';

/**
 * The rectifier, elementwise (NaN propagates, as torch.relu).
 *
 * Forward: `out = max(x, 0)`. Backward: `∂x = g·[x > 0]`.
 *
 * NOTE: the derivative at x = 0 is 0, as in PyTorch. Writing relu as the binary max(x, 0) and
 * reusing max's tie rule would give g/2 there (the tinygrad trap), so relu has its own backward.
 * A central difference at 0 sees 0.5: gradient checks must keep samples away from the kink.
 *
 * @example
 * relu(tensor([-1, 0, 2]));             // [0, 0, 2]
 * x.pipe(matmul(W1), add(b1), relu());
 */
export const relu = defineOp({
  name: 'relu',
  arity: 1,
  recyclable: true,
  forward: ([x]) => kernels.unary(x, (v) => (v > 0 || Number.isNaN(v) ? v : 0)),
  backward: (g, { inputs: [x] }, needs) => [needs[0] ? pointwiseGrad(g, x, x, (gv, xv) => (xv > 0 ? gv : 0)) : null],
});
