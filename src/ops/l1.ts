import { allocate, promote } from '../tensor/index.js';
import { type LossAttrs, reduceTerms, reductionOf, requireSameShape, residualGrads } from './loss-util.js';
import { defineOp } from './op.js';

/**
 * Mean absolute error, as PyTorch's `L1Loss`.
 *
 * Forward: terms `|p − y|`, reduced by `reduction` (default 'mean'). Backward: `∂p = sign(p − y)·ĝ`,
 * `∂y = −∂p`, where ĝ is g, or g/N for 'mean'.
 *
 * NOTE: at p = y the subgradient is 0 (PyTorch's sign(0)).
 *
 * @example
 * l1(tensor([1, 2]), tensor([1, 5]));     // 1.5
 * const loss = l1(out, y, { reduction: 'sum' });
 */
export const l1 = defineOp<LossAttrs, 2>({
  name: 'l1',
  arity: 2,
  recyclable: true,
  forward: ([p, y], attrs) => {
    requireSameShape(p, y);
    const reduction = reductionOf(attrs);
    const terms = allocate(promote(p.dtype, y.dtype), p.size);
    for (let i = 0; i < terms.length; i++) terms[i] = Math.abs(p.data[i]! - y.data[i]!);
    return reduceTerms(terms, p.shape, reduction);
  },
  backward: (g, { inputs: [p, y], attrs }, needs) => residualGrads(p, y, needs, g, reductionOf(attrs), l1Slope, 0),
});

/** sign(r) times the term's gradient, 0 at r = 0 whatever that gradient, NaN for a NaN residual. */
function l1Slope(r: number, gi: number): number {
  return r > 0 ? gi : r < 0 ? -gi : r === 0 ? 0 : Number.NaN;
}
