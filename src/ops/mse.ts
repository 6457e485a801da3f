import { type Tensor, type TypedArray, allocate, empty, promote, shapesEqual } from '../tensor/index.js';
import { type LossAttrs, type Reduction, reduceTerms, reducedValue, reductionOf, requireSameShape } from './loss-util.js';
import { type Grads, type OpPlan, defineOp } from './op.js';
import { gradsOf2, ownedTensor } from './grad-util.js';

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

/** mse's plan (see `OpSpec.plan`; a class for the reason given at DensePlan in dense.ts). */
class MsePlan implements OpPlan {
  private readonly terms: Tensor;
  private readonly out: Tensor;
  private readonly dp: Tensor | null;
  private readonly dy: Tensor | null;
  private readonly grads: (Tensor | null)[];
  private p: Tensor;
  private y: Tensor;

  constructor(p0: Tensor, y0: Tensor, private readonly reduction: Reduction, needs: readonly boolean[]) {
    this.terms = ownedTensor(p0.shape, promote(p0.dtype, y0.dtype));
    this.out = reduction === 'none' ? this.terms : ownedTensor([], this.terms.dtype);
    this.dp = needs[0] ? ownedTensor(p0.shape, p0.dtype) : null;
    this.dy = needs[1] ? ownedTensor(y0.shape, y0.dtype) : null;
    this.grads = [this.dp, this.dy];
    this.p = p0;
    this.y = y0;
  }

  forward(inputs: readonly Tensor[]): Tensor {
    const p = (this.p = inputs[0]!), y = (this.y = inputs[1]!), terms = this.terms.data;
    squaredErrors(p.data, y.data, terms);
    if (this.reduction !== 'none') this.out.data[0] = reducedValue(terms, this.reduction);
    return this.out;
  }

  backward(g: Tensor): Grads {
    const { dp, dy } = this;
    mseGradInto(this.p.data, this.y.data, g.data, this.reduction, dp === null ? null : dp.data, dy === null ? null : dy.data);
    return this.grads;
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
