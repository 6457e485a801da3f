/**
 * Kernels that move elements without arithmetic: reshape, permute, slice, concat, gather.
 */
import { allocate } from './dtype.js';
import { type Shape, checkShape, formatShape, normalizeAxis, sizeOf, stridesOf } from './shape.js';
import { Tensor } from './tensor.js';

/**
 * The same elements under another shape; one dimension may be -1 (inferred). Shares storage:
 * safe because tensors are never written after creation.
 */
export function reshape(x: Tensor, shape: Shape): Tensor {
  // Fast path: a target without -1 whose size matches (the common case inside backward passes).
  let size = 1, plain = true;
  for (let i = 0; i < shape.length; i++) {
    const d = shape[i]!;
    if (!(d >= 0 && Number.isInteger(d))) plain = false;
    size *= d;
  }
  if (plain && size === x.size) return new Tensor(x.data, shape.slice());
  return new Tensor(x.data, resolveReshape(x.shape, shape));
}

/** Resolves a reshape target (with at most one -1) against a source shape, or throws. */
export function resolveReshape(from: Shape, to: Shape): number[] {
  const size = sizeOf(from);
  const out = to.slice();
  const infer = out.indexOf(-1);
  if (infer !== out.lastIndexOf(-1)) throw new RangeError(`reshape: only one dimension may be -1 in ${formatShape(to)}`);
  if (infer >= 0) {
    const known = sizeOf(out.filter((_, i) => i !== infer));
    if (known === 0 || size % known !== 0) {
      throw new RangeError(`reshape: cannot reshape ${formatShape(from)} (${size} elements) to ${formatShape(to)}`);
    }
    out[infer] = size / known;
  }
  checkShape(out, 'reshape target');
  if (sizeOf(out) !== size) {
    throw new RangeError(`reshape: cannot reshape ${formatShape(from)} (${size} elements) to ${formatShape(to)}`);
  }
  return out;
}

/** Checks that `perm` is a permutation of 0…rank-1 (negative entries allowed) and normalises it. */
export function normalizePerm(perm: readonly number[], rank: number, op = 'permute'): number[] {
  if (perm.length !== rank) throw new RangeError(`${op}: permutation [${perm.join(',')}] has ${perm.length} axes, tensor has ${rank}`);
  const out = perm.map((p) => normalizeAxis(p, rank, op));
  const seen = new Set(out);
  if (seen.size !== rank) throw new RangeError(`${op}: [${perm.join(',')}] is not a permutation`);
  return out;
}

/** Reorders axes: output axis i is input axis perm[i]. */
export function permute(x: Tensor, perm: readonly number[]): Tensor {
  const p = normalizePerm(perm, x.rank);
  const rank = x.rank;
  if (p.every((v, i) => v === i)) return x;
  const shape = p.map((d) => x.shape[d]!);
  const inStrides = stridesOf(x.shape);
  const walk = p.map((d) => inStrides[d]!);
  const out = allocate(x.dtype, x.size);
  const xd = x.data;
  if (rank === 2) {
    const rows = shape[0]!, cols = shape[1]!;
    const s0 = walk[0]!, s1 = walk[1]!;
    for (let i = 0, o = 0; i < rows; i++) for (let j = 0; j < cols; j++, o++) out[o] = xd[i * s0 + j * s1]!;
    return new Tensor(out, shape);
  }
  const counter = new Array<number>(rank).fill(0);
  let src = 0;
  for (let o = 0; o < out.length; o++) {
    out[o] = xd[src]!;
    for (let d = rank - 1; d >= 0; d--) {
      const c = ++counter[d]!;
      src += walk[d]!;
      if (c < shape[d]!) break;
      counter[d] = 0;
      src -= walk[d]! * c;
    }
  }
  return new Tensor(out, shape);
}

/** The permutation that undoes `perm`. */
export function inversePerm(perm: readonly number[]): number[] {
  const inv = new Array<number>(perm.length);
  perm.forEach((p, i) => (inv[p] = i));
  return inv;
}

/** Swaps two axes (the last two by default), like `torch.transpose`. */
export function transpose(x: Tensor, dim0 = -2, dim1 = -1): Tensor {
  if (x.rank < 2) return x;
  const a = normalizeAxis(dim0, x.rank, 'transpose'), b = normalizeAxis(dim1, x.rank, 'transpose');
  const perm = Array.from({ length: x.rank }, (_, i) => i);
  perm[a] = b;
  perm[b] = a;
  return permute(x, perm);
}

/** Per-axis half-open ranges; a missing axis or bound means the whole axis. */
export interface SliceSpec {
  /** Start index per axis (negative counts from the end). Default 0. */
  start?: readonly number[];
  /** End index per axis, exclusive (negative counts from the end). Default the axis length. */
  end?: readonly number[];
}

/** Resolves a slice against a shape: Python-style clamping, so an empty slice is allowed. */
export function resolveSlice(shape: Shape, spec: SliceSpec): { begin: number[]; size: number[] } {
  const start = spec.start ?? [], end = spec.end ?? [];
  if (start.length > shape.length || end.length > shape.length) {
    throw new RangeError(`slice: ${Math.max(start.length, end.length)} bounds for a tensor of shape ${formatShape(shape)}`);
  }
  const begin: number[] = [], size: number[] = [];
  for (let d = 0; d < shape.length; d++) {
    const n = shape[d]!;
    const clamp = (v: number): number => {
      if (!Number.isInteger(v)) throw new RangeError(`slice: bound ${v} on axis ${d} is not an integer`);
      return Math.min(Math.max(v < 0 ? v + n : v, 0), n);
    };
    const s = clamp(start[d] ?? 0);
    const e = clamp(end[d] ?? n);
    begin.push(s);
    size.push(Math.max(0, e - s));
  }
  return { begin, size };
}

/** A contiguous sub-block, copied. */
export function slice(x: Tensor, spec: SliceSpec): Tensor {
  const { begin, size } = resolveSlice(x.shape, spec);
  const out = allocate(x.dtype, sizeOf(size));
  copyBlock(x.data, x.shape, begin, out, size, 'read');
  return new Tensor(out, size);
}

/**
 * Copies between a full tensor (`full`, of `fullShape`) and a block of it (`block`, of `blockShape`
 * starting at `begin`): 'read' copies block ← full, 'add' adds block into full (slice's backward).
 */
export function copyBlock(
  full: Float64Array | Float32Array, fullShape: Shape, begin: readonly number[],
  block: Float64Array | Float32Array, blockShape: Shape, mode: 'read' | 'add',
): void {
  const n = sizeOf(blockShape);
  if (n === 0) return;
  const rank = fullShape.length;
  if (rank === 0) {
    if (mode === 'read') block[0] = full[0]!;
    else full[0] = full[0]! + block[0]!;
    return;
  }
  const strides = stridesOf(fullShape);
  const inner = blockShape[rank - 1]!;
  const rows = n / inner;
  const counter = new Array<number>(rank - 1).fill(0);
  for (let r = 0; r < rows; r++) {
    let off = begin[rank - 1]!;
    for (let d = 0; d < rank - 1; d++) off += (begin[d]! + counter[d]!) * strides[d]!;
    const b0 = r * inner;
    if (mode === 'read') for (let j = 0; j < inner; j++) block[b0 + j] = full[off + j]!;
    else for (let j = 0; j < inner; j++) full[off + j] = full[off + j]! + block[b0 + j]!;
    for (let d = rank - 2; d >= 0; d--) {
      if (++counter[d]! < blockShape[d]!) break;
      counter[d] = 0;
    }
  }
}

/** Joins tensors along an existing axis; all other dimensions must agree. */
export function concat(xs: readonly Tensor[], axis = 0): Tensor {
  const first = xs[0];
  if (first === undefined) throw new RangeError('concat: needs at least one tensor');
  const rank = first.rank;
  if (rank === 0) throw new RangeError('concat: cannot concatenate scalars (shape [])');
  const ax = normalizeAxis(axis, rank, 'concat');
  let total = 0;
  for (const t of xs) {
    if (t.rank !== rank || t.shape.some((d, i) => i !== ax && d !== first.shape[i])) {
      throw new RangeError(`concat: shapes ${xs.map((u) => formatShape(u.shape)).join(', ')} differ outside axis ${ax}`);
    }
    total += t.shape[ax]!;
  }
  const shape = first.shape.slice();
  shape[ax] = total;
  const dtype = xs.some((t) => t.dtype === 'float64') ? 'float64' : 'float32';
  const out = allocate(dtype, sizeOf(shape));
  const outer = sizeOf(shape.slice(0, ax));
  const innerOut = sizeOf(shape.slice(ax));
  let offset = 0;
  for (const t of xs) {
    const run = sizeOf(t.shape.slice(ax));
    const td = t.data;
    for (let o = 0; o < outer; o++) {
      const dst = o * innerOut + offset, src = o * run;
      for (let j = 0; j < run; j++) out[dst + j] = td[src + j]!;
    }
    offset += run;
  }
  return new Tensor(out, shape);
}

/**
 * Picks one element along `axis` for every position of the other axes: out[..., ...] =
 * x[..., labels[...], ...]. `labels` has x's shape without `axis` and holds integer indices
 * (class labels for cross-entropy).
 */
export function gather(x: Tensor, labels: Tensor, axis = -1): Tensor {
  const ax = normalizeAxis(axis, x.rank, 'gather');
  const shape = x.shape.filter((_, i) => i !== ax);
  if (labels.rank !== shape.length || labels.shape.some((d, i) => d !== shape[i])) {
    throw new RangeError(`gather: labels of shape ${formatShape(labels.shape)} do not match ${formatShape(x.shape)} without axis ${ax}`);
  }
  const out = allocate(x.dtype, sizeOf(shape));
  forEachGathered(x.shape, ax, labels, (o, src) => {
    out[o] = x.data[src]!;
  });
  return new Tensor(out, shape);
}

/**
 * Calls `visit(outIndex, sourceIndex)` for each gathered element; validates every label.
 * Shared by gather and its backward.
 */
export function forEachGathered(shape: Shape, axis: number, labels: Tensor, visit: (o: number, src: number) => void): void {
  const n = shape[axis]!;
  const inner = sizeOf(shape.slice(axis + 1));
  const ld = labels.data;
  for (let o = 0; o < ld.length; o++) {
    const label = ld[o]!;
    if (!Number.isInteger(label) || label < 0 || label >= n) {
      throw new RangeError(`gather: label ${label} at position ${o} is not an integer in [0, ${n})`);
    }
    const outer = Math.floor(o / inner), j = o % inner;
    visit(o, (outer * n + label) * inner + j);
  }
}
