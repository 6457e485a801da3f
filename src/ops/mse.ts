import { type Tensor, type TypedArray, allocate, empty, promote, shapesEqual } from '../tensor/index.js';
import { type LossAttrs, type Reduction, TermsLossPlan, reduceTerms, reductionOf, requireSameShape } from './loss-util.js';
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
    squaredErrors(p.data, y.data, terms);
    return reduceTerms(terms, p.shape, reduction);
  },
  backward: (g, { inputs: [p, y], attrs }, needs, into) => {
    const dp = needs[0] ? empty(p.shape, p.dtype) : null;
    const dy = needs[1] ? empty(y.shape, y.dtype) : null;
    mseGradInto(p.data, y.data, g.data, reductionOf(attrs), dp === null ? null : dp.data, dy === null ? null : dy.data);
    return gradsOf2(into, dp, dy);
  },
  plan: ([p, y], attrs, needs) => (shapesEqual(p.shape, y.shape) ? new MsePlan(p, y, reductionOf(attrs), needs) : null),
});

/** mse's plan: the storage and reduction of every terms loss, with mse's own loops. */
class MsePlan extends TermsLossPlan {
  protected fillTerms(pd: TypedArray, yd: TypedArray, terms: TypedArray): void {
    squaredErrors(pd, yd, terms);
  }

  protected fillGrads(g: Tensor, dp: TypedArray | null, dy: TypedArray | null): void {
    mseGradInto(this.a.data, this.b.data, g.data, this.reduction, dp, dy);
  }
}

/** The terms `(p − y)²`, stored in `terms`' dtype. */
function squaredErrors(pd: TypedArray, yd: TypedArray, terms: TypedArray): void {
  for (let i = 0; i < terms.length; i++) {
    const r = pd[i]! - yd[i]!;
    terms[i] = r * r;
  }
}

/** `∂p = 2(p − y)·ĝ` and `∂y = −∂p` into the given storage (null where not wanted): one plain loop, no per-element callbacks. */
function mseGradInto(pd: TypedArray, yd: TypedArray, gd: TypedArray, reduction: Reduction, dp: TypedArray | null, dy: TypedArray | null): void {
  const n = pd.length;
  const each = reduction === 'none';
  const s = each ? 0 : reduction === 'mean' ? gd[0]! / n : gd[0]!;
  for (let i = 0; i < n; i++) {
    const v = 2 * (pd[i]! - yd[i]!) * (each ? gd[i]! : s);
    if (dp !== null) dp[i] = v;
    if (dy !== null) dy[i] = -v;
  }
}
