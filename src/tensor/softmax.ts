/**
 * Softmax and log-softmax along one axis, in their stable forms: every exponential is taken of
 * x − max ≤ 0, so nothing overflows, and log Σ exp is written as m + log1p(Σ over the non-maximal
 * entries), which keeps the tiny log-probabilities of confident predictions instead of rounding them
 * to 0.
 */
import { allocate } from './dtype.js';
import { type Shape, normalizeAxis, sizeOf } from './shape.js';
import { type Tensor, wrapStorage } from './tensor.js';

/**
 * Calls `visit(base, stride, n)` once per lane along `axis`: the lane's elements sit at
 * base, base + stride, …, base + (n − 1)·stride. A rank-0 shape is one lane of length 1.
 */
export function forEachLane(shape: Shape, axis: number, visit: (base: number, stride: number, n: number) => void): void {
  if (shape.length === 0) {
    normalizeAxis(axis, 1, 'lane');
    visit(0, 1, 1);
    return;
  }
  const ax = normalizeAxis(axis, shape.length, 'lane');
  const outer = sizeOf(shape.slice(0, ax)), n = shape[ax]!, inner = sizeOf(shape.slice(ax + 1));
  for (let o = 0; o < outer; o++) for (let i = 0; i < inner; i++) visit(o * n * inner + i, inner, n);
}

/** The lane's maximum, the position of its first maximum, and Σ exp(x − max) over the other entries. */
function laneStats(xd: ArrayLike<number>, base: number, stride: number, n: number): { m: number; rest: number } {
  let m = xd[base]!, k = 0;
  for (let j = 1; j < n; j++) {
    const v = xd[base + j * stride]!;
    if (v > m) {
      m = v;
      k = j;
    }
  }
  let rest = 0;
  for (let j = 0; j < n; j++) if (j !== k) rest += Math.exp(xd[base + j * stride]! - m);
  // NOTE: a lane whose maximum is ±inf (or that holds NaN) has no meaningful softmax: NaN, as PyTorch.
  if (!Number.isFinite(m)) rest = Number.NaN;
  return { m, rest };
}

/** softmax(x)ⱼ = exp(xⱼ − m) / Σₖ exp(xₖ − m) along `axis` (default the last). */
export function softmax(x: Tensor, axis = -1): Tensor {
  const out = allocate(x.dtype, x.size);
  const xd = x.data;
  forEachLane(x.shape, axis, (base, stride, n) => {
    if (n === 0) return;
    const { m, rest } = laneStats(xd, base, stride, n);
    const total = 1 + rest;
    for (let j = 0; j < n; j++) out[base + j * stride] = Math.exp(xd[base + j * stride]! - m) / total;
  });
  return wrapStorage(out, x.shape);
}

/** logSoftmax(x)ⱼ = xⱼ − m − log1p(Σ_{k≠argmax} exp(xₖ − m)) along `axis` (default the last). */
export function logSoftmax(x: Tensor, axis = -1): Tensor {
  const out = allocate(x.dtype, x.size);
  const xd = x.data;
  forEachLane(x.shape, axis, (base, stride, n) => {
    if (n === 0) return;
    const { m, rest } = laneStats(xd, base, stride, n);
    const lse = Math.log1p(rest);
    for (let j = 0; j < n; j++) out[base + j * stride] = xd[base + j * stride]! - m - lse;
  });
  return wrapStorage(out, x.shape);
}
