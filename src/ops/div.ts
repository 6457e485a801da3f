import { type Tensor, kernels } from '../tensor/index.js';
import { defineOp } from './op.js';
import { unbroadcast } from './grad-util.js';

/**
 * Elementwise quotient with NumPy broadcasting (IEEE rules: x/0 is ±inf, 0/0 is NaN).
 *
 * Forward: `out = a / b`. Backward: `∂a = g / b`, `∂b = −g·a/b² = −(g / b)·out`, each summed over the
 * axes its input was broadcast along.
 *
 * @example
 * div(tensor([1, 3]), tensor(2));      // [0.5, 1.5]
 * sum(x).pipe(div(n));                  // a mean
 */
export const div = defineOp({
  name: 'div',
  arity: 2,
  recyclable: true,
  forward: ([a, b]) => kernels.div(a, b),
  backward: (g, { inputs: [a, b], output }, needs) => {
    // g / b serves both gradients; a/b² is written as out/b so that it overflows only if out does.
    const gOverB = kernels.div(g, b);
    let db: Tensor | null = null;
    if (needs[1]) db = kernels.neg(unbroadcast(kernels.mul(gOverB, output), b));
    return [needs[0] ? unbroadcast(gOverB, a) : null, db];
  },
});
