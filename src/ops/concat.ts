import { type Tensor, kernels, normalizeAxis } from '../tensor/index.js';
import { defineOp } from './op.js';

export interface ConcatAttrs {
  /** The axis to join along (negative counts from the end). Default 0. */
  axis?: number;
}

/**
 * Joins tensors along an existing axis; every other dimension must agree. The result is float64
 * if any input is.
 *
 * Forward: `out = [x₀ | x₁ | …]` along `axis`. Backward: `∂xᵢ` is the block of g that xᵢ filled.
 *
 * @example
 * concat([tensor([1, 2]), tensor([3])]);                  // [1, 2, 3]
 * features.pipe(concat(extra, { axis: 1 }));              // [n, a] and [n, b] → [n, a + b]
 */
export const concat = defineOp<ConcatAttrs, 'variadic'>({
  name: 'concat',
  arity: 'variadic',
  recyclable: true,
  forward: (xs, attrs) => kernels.concat(xs, attrs.axis ?? 0),
  backward: (g, { inputs: xs, attrs }, needs) => {
    const ax = normalizeAxis(attrs.axis ?? 0, g.rank, 'concat');
    const grads: (Tensor | null)[] = [];
    let offset = 0;
    for (let i = 0; i < xs.length; i++) {
      const x = xs[i]!;
      const width = x.shape[ax]!;
      if (needs[i]) {
        const start = g.shape.map((_, d) => (d === ax ? offset : 0));
        const end = g.shape.map((n, d) => (d === ax ? offset + width : n));
        grads.push(kernels.slice(g, { start, end }).astype(x.dtype));
      } else grads.push(null);
      offset += width;
    }
    return grads;
  },
});
