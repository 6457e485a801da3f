/**
 * What every loss shares: the reduction attribute, its validation and its backward factor.
 */
import { type Tensor, allocate, formatShape, shapesEqual, Tensor as T } from '../tensor/index.js';

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
 * per-element shape, kept for 'none'.
 */
export function reduceTerms(terms: Float64Array | Float32Array, shape: readonly number[], reduction: Reduction): Tensor {
  if (reduction === 'none') return new T(terms, shape);
  let acc = 0;
  for (let i = 0; i < terms.length; i++) acc += terms[i]!;
  const out = allocate(terms instanceof Float64Array ? 'float64' : 'float32', 1);
  out[0] = reduction === 'mean' ? acc / terms.length : acc;
  return new T(out, []);
}

/**
 * The upstream gradient of element i of the per-element terms: `g[i]` for 'none', `g` for 'sum',
 * `g / n` for 'mean'. Returns a function so backward loops stay simple.
 */
export function termGradient(g: Tensor, n: number, reduction: Reduction): (i: number) => number {
  if (reduction === 'none') {
    const gd = g.data;
    return (i) => gd[i]!;
  }
  const s = reduction === 'mean' ? g.data[0]! / n : g.data[0]!;
  return () => s;
}
