/**
 * Reductions over any set of axes, with or without kept unit dimensions. Accumulation runs in
 * row-major order of the input, so results are deterministic to the bit.
 */
import { allocate } from './dtype.js';
import { type Shape, formatShape, normalizeAxes, reducedShape, shapesEqual, sizeOf, stridesOf } from './shape.js';
import { Tensor } from './tensor.js';

export interface ReduceOptions {
  /** Axes to reduce (negative counts from the end); all axes when omitted. */
  axes?: number | readonly number[];
  /** Keep reduced axes as size-1 dimensions. Default false. */
  keepdims?: boolean;
}

/**
 * For each input element in row-major order, the offset of the output element it reduces into.
 * Shared by every reduction and by their backward passes.
 */
export function reductionIndex(shape: Shape, axes: readonly number[]): Int32Array {
  const rank = shape.length;
  const outStrides = new Array<number>(rank).fill(0);
  let s = 1;
  for (let d = rank - 1; d >= 0; d--) {
    if (!axes.includes(d)) {
      outStrides[d] = s;
      s *= shape[d]!;
    }
  }
  const size = sizeOf(shape);
  const index = new Int32Array(size);
  const counter = new Array<number>(rank).fill(0);
  let o = 0;
  for (let i = 0; i < size; i++) {
    index[i] = o;
    for (let d = rank - 1; d >= 0; d--) {
      const c = ++counter[d]!;
      o += outStrides[d]!;
      if (c < shape[d]!) break;
      counter[d] = 0;
      o -= outStrides[d]! * c;
    }
  }
  return index;
}

/** Indexes by shape and axes, for the reductions that run every tick (see sharedReductionIndex). */
const sharedIndexes = new Map<string, Int32Array>();
const MAX_SHARED_INDEXES = 64;

/**
 * {@link reductionIndex}, made once per shape and axes and then shared: read it, never write it.
 * An index of more than 16 elements is a typed array outside V8's heap, about 0.7 µs to make, and
 * a reduction in a training step asks for the same one every tick.
 */
export function sharedReductionIndex(shape: Shape, axes: readonly number[]): Int32Array {
  const key = `${shape.join(',')}|${axes.join(',')}`;
  let index = sharedIndexes.get(key);
  if (index === undefined) {
    index = reductionIndex(shape, axes);
    if (sharedIndexes.size >= MAX_SHARED_INDEXES) sharedIndexes.delete(sharedIndexes.keys().next().value!);
    sharedIndexes.set(key, index);
  }
  return index;
}

/** True when the reduced axes are exactly the leading ones, so the output repeats every out.length elements. */
function isLeadingReduction(axes: readonly number[]): boolean {
  for (let i = 0; i < axes.length; i++) if (axes[i] !== i) return false;
  return true;
}

/** True when the reduced axes are exactly the trailing ones, so each output owns a contiguous run. */
function isTrailingReduction(rank: number, axes: readonly number[]): boolean {
  for (let i = 0; i < axes.length; i++) if (axes[i] !== rank - axes.length + i) return false;
  return true;
}

/** Sum over axes. */
export function sum(x: Tensor, options: ReduceOptions = {}): Tensor {
  const axes = normalizeAxes(options.axes, x.rank, 'sum');
  const shape = reducedShape(x.shape, axes, options.keepdims ?? false);
  const out = allocate(x.dtype, sizeOf(shape));
  const xd = x.data;
  if (isTrailingReduction(x.rank, axes)) {
    const run = out.length === 0 ? 0 : xd.length / out.length;
    for (let o = 0, i = 0; o < out.length; o++) {
      let acc = 0;
      for (let j = 0; j < run; j++, i++) acc += xd[i]!;
      out[o] = acc;
    }
  } else if (isLeadingReduction(axes)) {
    // A broadcast gradient summed back over the batch (sumTo): element i adds into i mod n, in the
    // same order as the general path below, so the same bits.
    const n = out.length;
    for (let i = 0; i < xd.length; i += n) for (let j = 0; j < n; j++) out[j] = out[j]! + xd[i + j]!;
  } else {
    const index = sharedReductionIndex(x.shape, axes);
    for (let i = 0; i < xd.length; i++) {
      const o = index[i]!;
      out[o] = out[o]! + xd[i]!;
    }
  }
  return new Tensor(out, shape);
}

/** Mean over axes. */
export function mean(x: Tensor, options: ReduceOptions = {}): Tensor {
  const axes = normalizeAxes(options.axes, x.rank, 'mean');
  let count = 1;
  for (const a of axes) count *= x.shape[a]!;
  const s = sum(x, options);
  const d = s.data;
  for (let i = 0; i < d.length; i++) d[i] = d[i]! / count;
  return s;
}

/** Maximum over axes (NaN wins, as in PyTorch). Reducing an empty axis is an error. */
export function max(x: Tensor, options: ReduceOptions = {}): Tensor {
  return extremum(x, options, 'max', (a, b) => a > b);
}

/** Minimum over axes (NaN wins). */
export function min(x: Tensor, options: ReduceOptions = {}): Tensor {
  return extremum(x, options, 'min', (a, b) => a < b);
}

function extremum(x: Tensor, options: ReduceOptions, op: string, better: (a: number, b: number) => boolean): Tensor {
  const axes = normalizeAxes(options.axes, x.rank, op);
  for (const a of axes) {
    if (x.shape[a] === 0) throw new RangeError(`${op}: cannot reduce the empty axis ${a} of ${formatShape(x.shape)}`);
  }
  const shape = reducedShape(x.shape, axes, options.keepdims ?? false);
  const out = allocate(x.dtype, sizeOf(shape));
  const seen = new Uint8Array(out.length);
  const index = sharedReductionIndex(x.shape, axes);
  const xd = x.data;
  for (let i = 0; i < xd.length; i++) {
    const o = index[i]!;
    const v = xd[i]!;
    if (!seen[o]) {
      out[o] = v;
      seen[o] = 1;
    } else if (v !== v || better(v, out[o]!)) {
      if (out[o] === out[o]) out[o] = v;
    }
  }
  return new Tensor(out, shape);
}

/**
 * Sums a broadcast gradient back to the shape of the input that was broadcast: over the leading
 * axes the input lacked and over every axis where it had size 1. Returns `g` itself when nothing
 * needs summing.
 */
export function sumTo(g: Tensor, shape: Shape): Tensor {
  if (shapesEqual(g.shape, shape)) return g;
  const lead = g.rank - shape.length;
  if (lead < 0) throw new RangeError(`sumTo: cannot sum ${formatShape(g.shape)} to the larger rank ${formatShape(shape)}`);
  const axes: number[] = [];
  for (let d = 0; d < g.rank; d++) {
    if (d < lead) axes.push(d);
    else if (shape[d - lead] === 1 && g.shape[d] !== 1) axes.push(d);
    else if (shape[d - lead] !== g.shape[d]) {
      throw new RangeError(`sumTo: ${formatShape(g.shape)} is not a broadcast of ${formatShape(shape)}`);
    }
  }
  const s = sum(g, { axes });
  return new Tensor(s.data, shape);
}

/** Row-major strides; re-exported for kernels that index by hand. */
export { stridesOf };
