import { allocate, promote } from '../tensor/index.js';
import { type LossAttrs, reduceTerms, reductionOf, requireSameShape, residualGrads } from './loss-util.js';
import { defineOp } from './op.js';

export interface HuberAttrs extends LossAttrs {
  /** Where the loss turns from quadratic to linear (> 0). Default 1. */
  delta?: number;
}

function deltaOf(attrs: HuberAttrs): number {
  const delta = attrs.delta ?? 1;
  if (typeof delta !== 'number' || !(delta > 0)) throw new RangeError(`huber: delta must be a positive number, got ${String(delta)}`);
  return delta;
}

/**
 * The Huber loss, as PyTorch's `HuberLoss` (SmoothL1Loss at δ = 1): quadratic near 0, linear
 * beyond δ, so outliers pull with a bounded force.
 *
 * Forward: with r = p − y, terms `½r²` where |r| < δ, else `δ(|r| − ½δ)`, reduced by `reduction`.
 * Backward: `∂p = r·ĝ` where |r| < δ, else `δ·sign(r)·ĝ`; `∂y = −∂p` (ĝ is g, or g/N for 'mean').
 *
 * NOTE: the loss is only C¹ at |r| = δ (the second derivative jumps), so keep gradient checks away
 * from there.
 *
 * @example
 * huber(tensor([0, 0]), tensor([0.5, 3]));             // (0.125 + 2.5) / 2 = 1.3125
 * const loss = huber(out, y, { delta: 0.5 });
 */
export const huber = defineOp<HuberAttrs, 2>({
  name: 'huber',
  arity: 2,
  recyclable: true,
  forward: ([p, y], attrs) => {
    requireSameShape(p, y);
    const reduction = reductionOf(attrs), delta = deltaOf(attrs);
    const terms = allocate(promote(p.dtype, y.dtype), p.size);
    for (let i = 0; i < terms.length; i++) {
      const a = Math.abs(p.data[i]! - y.data[i]!);
      terms[i] = a < delta ? 0.5 * a * a : delta * (a - 0.5 * delta);
    }
    return reduceTerms(terms, p.shape, reduction);
  },
  backward: (g, { inputs: [p, y], attrs }, needs) => residualGrads(p, y, needs, g, reductionOf(attrs), huberSlope, deltaOf(attrs)),
});

/** r where |r| < δ, else δ·sign(r) (a clamp to [−δ, δ]; NaN stays NaN), times the term's gradient. */
function huberSlope(r: number, gi: number, delta: number): number {
  return Math.max(-delta, Math.min(delta, r)) * gi;
}
