import { kernels } from '../tensor/index.js';
import { defineOp } from './op.js';
import { unbroadcast } from './grad-util.js';

/**
 * Elementwise product with NumPy broadcasting.
 *
 * Forward: `out = a ⊙ b`. Backward: `∂a = g ⊙ b`, `∂b = g ⊙ a`, each summed over the axes its input
 * was broadcast along.
 *
 * @example
 * mul(tensor([1, 2, 3]), tensor(2));   // [2, 4, 6]
 * x.pipe(mul(mask));                    // zero out entries
 */
export const mul = defineOp({
  name: 'mul',
  arity: 2,
  recyclable: true,
  forward: ([a, b]) => kernels.mul(a, b),
  backward: (g, { inputs: [a, b] }, needs) => [
    needs[0] ? unbroadcast(kernels.mul(g, b), a) : null,
    needs[1] ? unbroadcast(kernels.mul(g, a), b) : null,
  ],
});
