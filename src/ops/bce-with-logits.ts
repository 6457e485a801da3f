import { Tensor, allocate, promote } from '../tensor/index.js';
import { type LossAttrs, reduceTerms, reductionOf, requireSameShape, termGradient } from './loss-util.js';
import { defineOp } from './op.js';
import { stableSigmoid } from './sigmoid.js';

export interface BceWithLogitsAttrs extends LossAttrs {
  /** Weight of the positive term: a number, or one per class of the last axis. Default 1. */
  posWeight?: number | readonly number[];
}

/** The positive weight of element i: a number, or one per entry of the last axis. */
function posWeightOf(attrs: BceWithLogitsAttrs, shape: readonly number[]): (i: number) => number {
  const pw = attrs.posWeight ?? 1;
  if (typeof pw === 'number') return () => pw;
  const n = shape[shape.length - 1] ?? 1;
  if (!Array.isArray(pw) || pw.length !== n) throw new RangeError(`bceWithLogits: posWeight must be a number or ${n} numbers (one per class), got ${String(pw)}`);
  return (i) => pw[i % n]!;
}

/** log(1 + e^(−x)) for any x. */
const softplusNeg = (x: number): number => Math.max(-x, 0) + Math.log1p(Math.exp(-Math.abs(x)));

/**
 * Binary cross-entropy on logits, as PyTorch's `BCEWithLogitsLoss(pos_weight)`: exact for any logit.
 *
 * Forward: terms `−[pw·y·log σ(x) + (1 − y)·log σ(−x)]`, written as `max(x, 0) − x·y + (w − 1)·max(−x, 0)
 * + w·log1p(e^(−|x|))` with w = 1 + (pw − 1)·y (pw = 1: the contract's max(x, 0) − x·y + log1p(e^(−|x|))),
 * reduced by `reduction`. Backward: `∂x = ĝ·[(1 − y)·σ(x) − pw·y·σ(−x)]` (σ(x) − y when pw = 1),
 * `∂y = ĝ·[−x + (pw − 1)·log(1 + e^(−x))]` (ĝ is g, or g/N for 'mean').
 *
 * NOTE: PyTorch's (1 − y)·x + w·log(1 + e^(−x)) cancels to 0 at x = −500, y = 0, where the loss is
 * e^(−500); the form above adds only terms that do not cancel there.
 *
 * @example
 * bceWithLogits(tensor([0]), tensor([1]));              // 0.6931471805599453
 * const loss = bceWithLogits(logits, targets, { posWeight: 3 });
 */
export const bceWithLogits = defineOp<BceWithLogitsAttrs, 2>({
  name: 'bceWithLogits',
  arity: 2,
  recyclable: true,
  forward: ([x, y], attrs) => {
    requireSameShape(x, y);
    const reduction = reductionOf(attrs), pw = posWeightOf(attrs, x.shape);
    const terms = allocate(promote(x.dtype, y.dtype), x.size);
    for (let i = 0; i < terms.length; i++) {
      const xv = x.data[i]!, yv = y.data[i]!, w1 = (pw(i) - 1) * yv;
      terms[i] = Math.max(xv, 0) - xv * yv + w1 * Math.max(-xv, 0) + (1 + w1) * Math.log1p(Math.exp(-Math.abs(xv)));
    }
    return reduceTerms(terms, x.shape, reduction);
  },
  backward: (g, { inputs: [x, y], attrs }, needs) => {
    const gi = termGradient(g, x.size, reductionOf(attrs)), pw = posWeightOf(attrs, x.shape);
    const dx = needs[0] ? allocate(x.dtype, x.size) : null;
    const dy = needs[1] ? allocate(y.dtype, y.size) : null;
    for (let i = 0; i < x.size; i++) {
      const xv = x.data[i]!, yv = y.data[i]!;
      if (dx) dx[i] = gi(i) * ((1 - yv) * stableSigmoid(xv) - pw(i) * yv * stableSigmoid(-xv));
      if (dy) dy[i] = gi(i) * (-xv + (pw(i) - 1) * softplusNeg(xv));
    }
    return [dx && new Tensor(dx, x.shape), dy && new Tensor(dy, y.shape)];
  },
});
