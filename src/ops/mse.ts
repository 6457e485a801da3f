import { allocate, empty, promote } from '../tensor/index.js';
import { type LossAttrs, reduceTerms, reductionOf, requireSameShape } from './loss-util.js';
import { defineOp } from './op.js';
import { gradsOf2 } from './grad-util.js';

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
  backward: (g, { inputs: [p, y], attrs }, needs, into) => {
    // The most common loss, so one plain loop (no per-element callbacks).
    const reduction = reductionOf(attrs);
    const pd = p.data, yd = y.data, gd = g.data, n = p.size;
    const each = reduction === 'none';
    const s = each ? 0 : reduction === 'mean' ? gd[0]! / n : gd[0]!;
    const dpTensor = needs[0] ? empty(p.shape, p.dtype) : null, dp = dpTensor?.data ?? null;
    const dyTensor = needs[1] ? empty(y.shape, y.dtype) : null, dy = dyTensor?.data ?? null;
    for (let i = 0; i < n; i++) {
      const v = 2 * (pd[i]! - yd[i]!) * (each ? gd[i]! : s);
      if (dp !== null) dp[i] = v;
      if (dy !== null) dy[i] = -v;
    }
    return gradsOf2(into, dpTensor, dyTensor);
  },
});
