import { kernels } from '../tensor/index.js';
import { defineOp } from './op.js';

export interface TransposeAttrs {
  /** Output axis i is input axis perm[i] (negative entries allowed). Default: swap the last two axes. */
  perm?: readonly number[];
}

/** The permutation this call applies, or null for the default swap of the last two axes. */
function permOf(attrs: TransposeAttrs, rank: number): number[] | null {
  if (attrs.perm === undefined) return null;
  if (!Array.isArray(attrs.perm)) throw new TypeError(`transpose: perm must be an array of axes, got ${String(attrs.perm)}`);
  return kernels.normalizePerm(attrs.perm, rank, 'transpose');
}

/**
 * Reorders axes: by default swaps the last two (a matrix transpose; identity below rank 2), or
 * applies a general permutation.
 *
 * Forward: `out = x` with axis i taken from input axis perm[i]. Backward: `∂x = g` permuted by the
 * inverse permutation (the default swap is its own inverse).
 *
 * @example
 * transpose(tensor([[1, 2, 3]]));                        // [[1], [2], [3]]
 * x.pipe(transpose({ perm: [0, 2, 1] }));                 // [b, m, n] → [b, n, m]
 */
export const transpose = defineOp<TransposeAttrs, 1>({
  name: 'transpose',
  arity: 1,
  recyclable: true,
  forward: ([x], attrs) => {
    const perm = permOf(attrs, x.rank);
    return perm === null ? kernels.transpose(x) : kernels.permute(x, perm);
  },
  backward: (g, { inputs: [x], attrs }, needs) => {
    if (!needs[0]) return [null];
    const perm = permOf(attrs, x.rank);
    const dx = perm === null ? kernels.transpose(g) : kernels.permute(g, kernels.inversePerm(perm));
    return [dx.astype(x.dtype)];
  },
});
