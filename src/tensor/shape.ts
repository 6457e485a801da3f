/**
 * Shapes, strides, broadcasting and axis bookkeeping. Pure functions on number arrays: the rest of
 * the core builds on them, so every error here names the shapes involved.
 */

export type Shape = readonly number[];

/** Shared `[n]` shapes for n below 1024, made once each. */
const VECTOR_SHAPES: Shape[] = [];

/**
 * The shape `[n]`, shared by every rank-1 tensor of length n below 1024 (shapes are never
 * mutated): a tensor made per sample then allocates no shape array, and the engine's shape check
 * finds last tick's array and stops there.
 */
export function vectorShape(n: number): Shape {
  if (n >= 1024) return [n];
  return (VECTOR_SHAPES[n] ??= [n]);
}

/** Number of elements of a shape (1 for a scalar, shape []). */
export function sizeOf(shape: Shape): number {
  let n = 1;
  for (let i = 0; i < shape.length; i++) n *= shape[i]!;
  return n;
}

/** Row-major strides, in elements. */
export function stridesOf(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i]!;
  }
  return strides;
}

export function shapesEqual(a: Shape, b: Shape): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** `[2,3]` — the notation every error message uses. */
export function formatShape(shape: Shape): string {
  return `[${shape.join(',')}]`;
}

/** Throws unless `shape` is a list of non-negative safe integers. */
export function checkShape(shape: Shape, what = 'shape'): void {
  if (!Array.isArray(shape)) throw new TypeError(`${what} must be an array of integers, got ${String(shape)}`);
  for (const d of shape) {
    if (!Number.isSafeInteger(d) || d < 0) {
      throw new RangeError(`${what} ${formatShape(shape)} has an invalid dimension ${String(d)}`);
    }
  }
}

/**
 * NumPy broadcasting: align trailing dimensions; each pair must be equal or contain a 1.
 * Returns null when the shapes are incompatible, so callers can word their own error.
 */
export function broadcastShapes(a: Shape, b: Shape): number[] | null {
  const rank = Math.max(a.length, b.length);
  const out = new Array<number>(rank);
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da === db || db === 1) out[i] = da;
    else if (da === 1) out[i] = db;
    else return null;
  }
  return out;
}

/** Like {@link broadcastShapes}, but throws an error that names the op and both shapes. */
export function broadcastOrThrow(op: string, a: Shape, b: Shape): number[] {
  const out = broadcastShapes(a, b);
  if (out === null) {
    throw new RangeError(`${op}: shapes ${formatShape(a)} and ${formatShape(b)} cannot be broadcast together`);
  }
  return out;
}

/**
 * Normalises an axis (negative counts from the end) against a rank and checks it is in range.
 */
export function normalizeAxis(axis: number, rank: number, op = 'axis'): number {
  if (!Number.isInteger(axis) || axis < -rank || axis >= Math.max(rank, 1)) {
    throw new RangeError(`${op}: axis ${axis} is out of range for rank ${rank}`);
  }
  return axis < 0 ? axis + rank : axis;
}

/**
 * Normalises a set of axes: `undefined` means all axes; duplicates are an error.
 * The result is sorted ascending.
 */
export function normalizeAxes(axes: number | readonly number[] | undefined, rank: number, op = 'axes'): number[] {
  if (axes === undefined) return Array.from({ length: rank }, (_, i) => i);
  const list = typeof axes === 'number' ? [axes] : axes;
  const out = list.map((a) => normalizeAxis(a, rank, op));
  out.sort((x, y) => x - y);
  for (let i = 1; i < out.length; i++) {
    if (out[i] === out[i - 1]) throw new RangeError(`${op}: axis ${out[i]} is repeated in [${list.join(',')}]`);
  }
  return out;
}

/** The shape left after reducing `axes` (sorted, normalised), with or without kept unit dims. */
export function reducedShape(shape: Shape, axes: readonly number[], keepdims: boolean): number[] {
  const out: number[] = [];
  for (let i = 0; i < shape.length; i++) {
    if (axes.includes(i)) {
      if (keepdims) out.push(1);
    } else out.push(shape[i]!);
  }
  return out;
}
