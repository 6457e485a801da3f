import { Tensor, type TypedArray, allocate, promote, shapesEqual } from '../tensor/index.js';
import { type LossAttrs, type Reduction, TermsLossPlan, reduceTerms, reductionOf, requireSameShape, sharedTermGradient } from './loss-util.js';
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

/** bceWithLogits's plan: the storage and reduction of every terms loss, with this loss's own loops. */
class BcePlan extends TermsLossPlan {
  constructor(x0: Tensor, y0: Tensor, reduction: Reduction, private readonly pw: (i: number) => number, needs: readonly boolean[]) {
    super(x0, y0, reduction, needs);
  }

  protected fillTerms(xd: TypedArray, yd: TypedArray, terms: TypedArray): void {
    bceTerms(xd, yd, this.pw, terms);
  }

  protected fillGrads(g: Tensor, dx: TypedArray | null, dy: TypedArray | null): void {
    bceGradInto(this.a.data, this.b.data, g, this.reduction, this.pw, dx, dy);
  }
}

/** The terms `max(x, 0) − x·y + w₁·max(−x, 0) + (1 + w₁)·log1p(e^−|x|)` with `w₁ = (posWeight − 1)·y`, in `terms`' dtype. */
function bceTerms(xd: TypedArray, yd: TypedArray, pw: (i: number) => number, terms: TypedArray): void {
  for (let i = 0; i < terms.length; i++) {
    const xv = xd[i]!, yv = yd[i]!, w1 = (pw(i) - 1) * yv;
    terms[i] = Math.max(xv, 0) - xv * yv + w1 * Math.max(-xv, 0) + (1 + w1) * Math.log1p(Math.exp(-Math.abs(xv)));
  }
}

/** The gradients into the given storage (null where not wanted). */
function bceGradInto(xd: TypedArray, yd: TypedArray, g: Tensor, reduction: Reduction, pw: (i: number) => number, dx: TypedArray | null, dy: TypedArray | null): void {
  // The upstream gradient of each term (see sharedTermGradient), without a closure: this runs
  // every tick, and the closure (with the doubles its calls returned boxed) cost about 100 bytes.
  const n = xd.length, gd = g.data, perTerm = reduction === 'none', shared = sharedTermGradient(g, n, reduction);
  for (let i = 0; i < n; i++) {
    const xv = xd[i]!, yv = yd[i]!, gv = perTerm ? gd[i]! : shared, w = pw(i);
    if (dx) dx[i] = gv * ((1 - yv) * stableSigmoid(xv) - w * yv * stableSigmoid(-xv));
    if (dy) dy[i] = gv * (-xv + (w - 1) * softplusNeg(xv));
  }
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
    const reduction = reductionOf(attrs);
    const terms = allocate(promote(x.dtype, y.dtype), x.size);
    bceTerms(x.data, y.data, posWeightOf(attrs, x.shape), terms);
    return reduceTerms(terms, x.shape, reduction);
  },
  backward: (g, { inputs: [x, y], attrs }, needs) => {
    const dx = needs[0] ? allocate(x.dtype, x.size) : null;
    const dy = needs[1] ? allocate(y.dtype, y.size) : null;
    bceGradInto(x.data, y.data, g, reductionOf(attrs), posWeightOf(attrs, x.shape), dx, dy);
    return [dx && new Tensor(dx, x.shape), dy && new Tensor(dy, y.shape)];
  },
  plan: ([x, y], attrs, needs) => (shapesEqual(x.shape, y.shape) ? new BcePlan(x, y, reductionOf(attrs), posWeightOf(attrs, x.shape), needs) : null),
});
