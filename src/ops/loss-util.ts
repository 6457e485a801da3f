/**
 * What every loss shares: the reduction attribute, its validation and its backward factor, and for
 * the classification losses the reading of integer labels, class weights and ignored rows.
 */
import { type Shape, type Tensor, type TypedArray, allocate, empty, formatShape, promote, shapesEqual, wrapStorage } from '../tensor/index.js';
import type { Grads, OpPlan } from './op.js';
import { ownedTensor } from './grad-util.js';

/** How a loss combines its per-element terms, as in PyTorch. */
export type Reduction = 'mean' | 'sum' | 'none';

export interface LossAttrs {
  /** `'mean'` (default, as PyTorch), `'sum'`, or `'none'` (per-element losses). */
  reduction?: Reduction;
}

export function reductionOf(attrs: LossAttrs): Reduction {
  const r = attrs.reduction ?? 'mean';
  if (r !== 'mean' && r !== 'sum' && r !== 'none') throw new RangeError(`reduction must be 'mean', 'sum' or 'none', got ${String(r)}`);
  return r;
}

/** Losses compare a prediction with a target of exactly the same shape (no silent broadcasting). */
export function requireSameShape(pred: Tensor, target: Tensor): void {
  if (!shapesEqual(pred.shape, target.shape)) {
    throw new RangeError(`prediction ${formatShape(pred.shape)} and target ${formatShape(target.shape)} must have the same shape`);
  }
}

/**
 * Reduces per-element terms (already computed in `terms`) according to the reduction. `shape` is the
 * per-element shape, kept for 'none'; 'mean' divides by `count` (default the number of terms; the
 * classification losses pass the sum of the kept weights). A mean over nothing is 0/0 = NaN.
 */
/** The shape of every reduced loss: one shared array (shapes are never mutated). */
const SCALAR: readonly number[] = [];

export function reduceTerms(terms: Float64Array | Float32Array, shape: readonly number[], reduction: Reduction, count = terms.length): Tensor {
  if (reduction === 'none') return wrapStorage(terms, shape);
  const result = empty(SCALAR, terms instanceof Float64Array ? 'float64' : 'float32');
  result.data[0] = reducedValue(terms, reduction, count);
  return result;
}

/** The terms summed in order, divided by `count` for 'mean' (the value of a reduced loss). */
export function reducedValue(terms: Float64Array | Float32Array, reduction: 'mean' | 'sum', count = terms.length): number {
  let acc = 0;
  for (let i = 0; i < terms.length; i++) acc += terms[i]!;
  return reduction === 'mean' ? acc / count : acc;
}

/**
 * The upstream gradient every term shares: `g` for 'sum', `g / n` for 'mean'; NaN for 'none', whose
 * terms each have their own (`g[i]`). Backward loops read `perTerm ? g[i] : shared`: a number, not
 * a closure per call (a closure, with the doubles its calls return boxed, cost about 100 bytes per
 * tick, and losses run every tick).
 */
export function sharedTermGradient(g: Tensor, n: number, reduction: Reduction): number {
  if (reduction === 'none') return Number.NaN;
  return reduction === 'mean' ? g.data[0]! / n : g.data[0]!;
}

/**
 * Gradients of a loss whose terms depend on the residual r = p − y only: `∂p[i] = d(rᵢ, ĝᵢ, param)`,
 * `∂y[i] = −∂p[i]`, each in its input's dtype and only where `needs` asks (ĝᵢ: the term's upstream
 * gradient). `d` is a function of the module, not a closure made per call.
 */
export function residualGrads(
  p: Tensor, y: Tensor, needs: readonly boolean[], g: Tensor, reduction: Reduction, d: (r: number, gi: number, param: number) => number, param: number,
): (Tensor | null)[] {
  const dpTensor = needs[0] ? empty(p.shape, p.dtype) : null, dp = dpTensor?.data ?? null;
  const dyTensor = needs[1] ? empty(y.shape, y.dtype) : null, dy = dyTensor?.data ?? null;
  const pd = p.data, yd = y.data, gd = g.data, perTerm = reduction === 'none', shared = sharedTermGradient(g, p.size, reduction);
  for (let i = 0; i < p.size; i++) {
    const v = d(pd[i]! - yd[i]!, perTerm ? gd[i]! : shared, param);
    if (dp) dp[i] = v;
    if (dy) dy[i] = -v;
  }
  return [dpTensor, dyTensor];
}

/** `[1,2]`-style multi-index of a flat position, for error messages. */
export function formatIndex(shape: Shape, flat: number): string {
  const index: number[] = [];
  for (let d = shape.length - 1; d >= 0; d--) {
    index.unshift(flat % shape[d]!);
    flat = Math.floor(flat / shape[d]!);
  }
  return `[${index.join(',')}]`;
}

/** Attributes of `crossEntropy` and `nll`, as PyTorch's. */
export interface ClassLossAttrs extends LossAttrs {
  /** Rows whose label equals this are skipped (no loss, no gradient, not counted). Default -100. */
  ignoreIndex?: number;
  /** A weight per class (length C); 'mean' divides by the sum of the kept rows' weights. */
  weight?: readonly number[];
}

/** Each row's class (−1 where ignored), each row's weight (0 where ignored), and their total. */
export interface ClassRows {
  /** Per row, its class index, or -1 where the label is ignoreIndex. */
  classes: Float64Array;
  weights: Float64Array;
  total: number;
}

/**
 * Validates `x` [..., C] against integer `labels` [...] and reads them. A label that is not an
 * integer in [0, C) (and not ignoreIndex) is an error naming its position.
 */
export function classRows(x: Tensor, labels: Tensor, attrs: ClassLossAttrs): ClassRows {
  if (x.rank === 0) throw new RangeError('the scores need a class axis (last), got a scalar');
  const C = x.shape[x.rank - 1]!;
  const rowShape = x.shape.slice(0, -1);
  if (!shapesEqual(labels.shape, rowShape)) {
    throw new RangeError(`scores ${formatShape(x.shape)} need labels of shape ${formatShape(rowShape)}, got ${formatShape(labels.shape)}`);
  }
  const weight = attrs.weight;
  if (weight !== undefined && (!Array.isArray(weight) || weight.length !== C || weight.some((w) => typeof w !== 'number'))) {
    throw new RangeError(`weight must be an array of ${C} numbers (one per class), got ${Array.isArray(weight) ? `${weight.length} entries` : String(weight)}`);
  }
  const ignore = attrs.ignoreIndex ?? -100;
  // Working arrays of this call (the op's arena when the engine runs it): typed arrays of more
  // than 64 bytes made with `new` live outside V8's heap and cost about 0.7 µs each, per tick.
  const classes = allocate('float64', labels.size) as Float64Array, weights = allocate('float64', labels.size) as Float64Array;
  let total = 0;
  for (let r = 0; r < labels.size; r++) {
    const label = labels.data[r]!;
    if (label === ignore) {
      classes[r] = -1;
      continue;
    }
    if (!Number.isInteger(label) || label < 0 || label >= C) {
      throw new RangeError(`label ${label} at position ${formatIndex(labels.shape, r)} is not an integer in [0, ${C})`);
    }
    classes[r] = label;
    weights[r] = weight ? weight[label]! : 1;
    total += weights[r]!;
  }
  return { classes, weights, total };
}

/**
 * The plan (see `OpSpec.plan`) of a loss over two same-shape inputs whose forward is per-element
 * terms then a reduction: the storage and the reduction are shared here, and each loss fills its
 * terms and gradients with the functions its forward and backward use. A class for the reason
 * given at DensePlan in dense.ts.
 */
export abstract class TermsLossPlan implements OpPlan {
  private readonly terms: Tensor;
  private readonly out: Tensor;
  private readonly d0: Tensor | null;
  private readonly d1: Tensor | null;
  private readonly grads: readonly (Tensor | null)[];
  /** The inputs of the last forward call. */
  protected a: Tensor;
  protected b: Tensor;

  constructor(a0: Tensor, b0: Tensor, protected readonly reduction: Reduction, needs: readonly boolean[]) {
    this.terms = ownedTensor(a0.shape, promote(a0.dtype, b0.dtype));
    this.out = reduction === 'none' ? this.terms : ownedTensor(SCALAR, this.terms.dtype);
    this.d0 = needs[0] ? ownedTensor(a0.shape, a0.dtype) : null;
    this.d1 = needs[1] ? ownedTensor(b0.shape, b0.dtype) : null;
    this.grads = [this.d0, this.d1];
    this.a = a0;
    this.b = b0;
  }

  forward(inputs: readonly Tensor[]): Tensor {
    const terms = this.terms.data;
    this.fillTerms((this.a = inputs[0]!).data, (this.b = inputs[1]!).data, terms);
    if (this.reduction !== 'none') this.out.data[0] = reducedValue(terms, this.reduction);
    return this.out;
  }

  backward(g: Tensor): Grads {
    const { d0, d1 } = this;
    this.fillGrads(g, d0 === null ? null : d0.data, d1 === null ? null : d1.data);
    return this.grads;
  }

  /** The per-element terms of inputs a and b, as the loss's forward computes them. */
  protected abstract fillTerms(ad: TypedArray, bd: TypedArray, terms: TypedArray): void;
  /** The gradients for inputs a and b (null where not asked for), as the loss's backward computes them. */
  protected abstract fillGrads(g: Tensor, d0: TypedArray | null, d1: TypedArray | null): void;
}
