import { Tensor, allocate, promote } from '../tensor/index.js';
import { type LossAttrs, formatIndex, reduceTerms, reductionOf, requireSameShape, sharedTermGradient } from './loss-util.js';
import { defineOp } from './op.js';

/** PyTorch clamps p(1 − p) at a C++ `float` 1e-12, which is this value in float64. */
const BCE_EPSILON = Math.fround(1e-12);

/**
 * log p and log(1 − p), each clamped at −100 as PyTorch's BCELoss does. Two functions, not one
 * returning a pair: that was an array allocated per element, forward and backward.
 */
function clampedLog(p: number): number {
  return Math.max(Math.log(p), -100);
}
function clampedLog1m(p: number): number {
  return Math.max(Math.log1p(-p), -100);
}

/**
 * Binary cross-entropy on probabilities, as PyTorch's `BCELoss`. Prefer {@link bceWithLogits} on
 * logits: it is exact where σ saturates.
 *
 * Forward: terms `−[y·log p + (1 − y)·log(1 − p)]` with each log clamped at −100 (so p = 0 or 1
 * gives a finite loss), reduced by `reduction`. Backward: `∂p = ĝ·(p − y) / max(p(1 − p), fround(1e-12))`
 * (PyTorch's clamp), `∂y = ĝ·(log(1 − p) − log p)` with the clamped logs (ĝ is g, or g/N for 'mean').
 *
 * NOTE: p and y must lie in [0, 1]; a value outside is an error naming its position, as in PyTorch.
 *
 * @example
 * bce(tensor([0.5]), tensor([1]));        // 0.6931471805599453
 * const loss = bce(probs, targets);
 */
export const bce = defineOp<LossAttrs, 2>({
  name: 'bce',
  arity: 2,
  recyclable: true,
  forward: ([p, y], attrs) => {
    requireSameShape(p, y);
    const reduction = reductionOf(attrs);
    const terms = allocate(promote(p.dtype, y.dtype), p.size);
    for (let i = 0; i < terms.length; i++) {
      const pv = p.data[i]!, yv = y.data[i]!;
      for (const [what, v] of [['prediction', pv], ['target', yv]] as const) {
        if (!(v >= 0 && v <= 1)) throw new RangeError(`${what} ${v} at position ${formatIndex(p.shape, i)} is not in [0, 1]`);
      }
      const logP = clampedLog(pv), log1mP = clampedLog1m(pv);
      terms[i] = (yv - 1) * log1mP - yv * logP;
    }
    return reduceTerms(terms, p.shape, reduction);
  },
  backward: (g, { inputs: [p, y], attrs }, needs) => {
    const reduction = reductionOf(attrs), perTerm = reduction === 'none', gd = g.data, shared = sharedTermGradient(g, p.size, reduction);
    const dp = needs[0] ? allocate(p.dtype, p.size) : null;
    const dy = needs[1] ? allocate(y.dtype, y.size) : null;
    for (let i = 0; i < p.size; i++) {
      const pv = p.data[i]!, yv = y.data[i]!, gi = perTerm ? gd[i]! : shared;
      if (dp) dp[i] = (gi * (pv - yv)) / Math.max((1 - pv) * pv, BCE_EPSILON);
      if (dy) {
        const logP = clampedLog(pv), log1mP = clampedLog1m(pv);
        dy[i] = gi * (log1mP - logP);
      }
    }
    return [dp && new Tensor(dp, p.shape), dy && new Tensor(dy, y.shape)];
  },
});
