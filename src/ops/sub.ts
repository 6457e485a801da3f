import { kernels } from '../tensor/index.js';
import { defineOp } from './op.js';
import { unbroadcast } from './grad-util.js';

/**
 * Elementwise difference with NumPy broadcasting.
 *
 * Forward: `out = a − b`. Backward: `∂a = g`, `∂b = −g`, each summed over the axes it was broadcast
 * along.
 *
 * @example
 * sub(tensor([5, 7]), tensor(1));      // [4, 6]
 * pred.pipe(sub(target));               // a residual
 */
export const sub = defineOp({
  name: 'sub',
  arity: 2,
  recyclable: true,
  forward: ([a, b]) => kernels.sub(a, b),
  backward: (g, { inputs: [a, b] }, needs) => [
    needs[0] ? unbroadcast(g, a) : null,
    needs[1] ? kernels.neg(unbroadcast(g, b)) : null,
  ],
});
