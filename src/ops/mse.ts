import { allocate, promote } from '../tensor/index.js';
import { type LossAttrs, reduceTerms, reductionOf, requireSameShape, residualGrads, termGradient } from './loss-util.js';
import { defineOp } from './op.js';

/**
 * Mean squared error, as PyTorch's `MSELoss`.
 *
 * Forward: terms `(p − y)²`, reduced by `reduction` (default 'mean'). Backward: `∂p = 2(p − y)·ĝ`,
 * `∂y = −∂p`, where ĝ is g, or g/N for 'mean'.
 *
 * @example
 * mse(tensor([1, 2]), tensor([1, 4]));    // 2
 * const loss = mse(out, y);
 */
export const mse = defineOp<LossAttrs, 2>({
  name: 'mse',
  arity: 2,
  recyclable: true,
  forward: ([p, y], attrs) => {
    requireSameShape(p, y);
    const reduction = reductionOf(attrs);
    const terms = allocate(promote(p.dtype, y.dtype), p.size);
    for (let i = 0; i < terms.length; i++) {
      const r = p.data[i]! - y.data[i]!;
      terms[i] = r * r;
    }
    return reduceTerms(terms, p.shape, reduction);
  },
  backward: (g, { inputs: [p, y], attrs }, needs) => {
    const gi = termGradient(g, p.size, reductionOf(attrs));
    return residualGrads(p, y, needs, (i) => 2 * (p.data[i]! - y.data[i]!) * gi(i));
  },
});
