import { empty } from '../tensor/index.js';
import { defineOp } from './op.js';
import { gradsOf1 } from './grad-util.js';

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
  // Plain loops: a per-element callback through a shared kernel costs more than the max itself.
  forward: ([x]) => {
    const xd = x.data, result = empty(x.shape, x.dtype), out = result.data;
    for (let i = 0; i < out.length; i++) {
      const v = xd[i]!;
      out[i] = v > 0 || v !== v ? v : 0;
    }
    return result;
  },
  backward: (g, { inputs: [x] }, needs, into) => {
    if (!needs[0]) return gradsOf1(into, null);
    const xd = x.data, gd = g.data, result = empty(x.shape, x.dtype), out = result.data;
    for (let i = 0; i < out.length; i++) out[i] = xd[i]! > 0 ? gd[i]! : 0;
    return gradsOf1(into, result);
  },
});
