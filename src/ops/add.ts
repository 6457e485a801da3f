import { kernels } from '../tensor/index.js';
import { defineOp } from './op.js';
import { unbroadcast } from './grad-util.js';

/**
 * Elementwise sum with NumPy broadcasting.
 *
 * Forward: `out = a + b`. Backward: `∂a = g`, `∂b = g`, each summed over the axes it was broadcast
 * along.
 *
 * @example
 * add(tensor([1, 2]), tensor(10));     // [11, 12]
 * x.pipe(matmul(W), add(b));            // a bias in a layer
 */
export const add = defineOp({
  name: 'add',
  arity: 2,
  recyclable: true,
  forward: ([a, b]) => kernels.add(a, b),
  backward: (g, { inputs: [a, b] }, needs) => [needs[0] ? unbroadcast(g, a) : null, needs[1] ? unbroadcast(g, b) : null],
});
