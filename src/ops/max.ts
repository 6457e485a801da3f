import { Tensor, allocate, kernels, normalizeAxes } from '../tensor/index.js';
import { sharedReductionIndex } from '../tensor/reduce.js';
import { defineOp } from './op.js';
import type { ReductionAttrs } from './sum.js';

/** Equal, with NaN equal to NaN (a NaN maximum takes the gradient). */
const same = (a: number, b: number): boolean => a === b || (a !== a && b !== b);

/**
 * Maximum over axes (NaN wins, as PyTorch; reducing an empty axis is an error).
 *
 * Forward: `out = max_axes x`. Backward: `∂x = g/k` at each of the k elements equal to their
 * output's maximum, 0 elsewhere.
 *
 * NOTE: ties share the gradient equally (g/k to each of k tied elements), as PyTorch's `amax` and
 * full `max()`; `torch.max(x, dim)` instead gives all of g to one index. A central difference sees
 * 1/2 per element at a 2-way tie and disagrees at wider ties, so gradient checks avoid ties.
 *
 * @example
 * max(tensor([[1, 5], [7, 2]]), { axes: 1 });    // [5, 7]
 * scores.pipe(max({ axes: -1, keepdims: true }));
 */
export const max = defineOp<ReductionAttrs, 1>({
  name: 'max',
  arity: 1,
  recyclable: true,
  forward: ([x], attrs) => kernels.max(x, attrs),
  backward: (g, { inputs: [x], output, attrs }, needs) => {
    if (!needs[0]) return [null];
    const index = sharedReductionIndex(x.shape, normalizeAxes(attrs.axes, x.rank, 'max'));
    const xd = x.data, yd = output.data, gd = g.data;
    // From the op's arena (or a slab): a new Float64Array of more than 8 numbers costs ~0.7 µs.
    const ties = allocate('float64', output.size);
    for (let i = 0; i < xd.length; i++) {
      const o = index[i]!;
      if (same(xd[i]!, yd[o]!)) ties[o] = ties[o]! + 1;
    }
    const dx = allocate(x.dtype, x.size);
    for (let i = 0; i < xd.length; i++) {
      const o = index[i]!;
      if (same(xd[i]!, yd[o]!)) dx[i] = gd[o]! / ties[o]!;
    }
    return [new Tensor(dx, x.shape)];
  },
});
