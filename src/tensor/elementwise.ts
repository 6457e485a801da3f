/**
 * Elementwise kernels with NumPy broadcasting. Every kernel allocates exactly one output tensor and
 * never writes into its inputs.
 *
 * NOTE: a shared kernel that calls a per-op callback is megamorphic at that call site; the
 * arithmetic ops therefore have their own loops for the common layouts (same shape, scalar, a row
 * broadcast such as a bias), and the callback path serves everything else.
 */
import { type DType, allocate, promote } from './dtype.js';
import { type Shape, broadcastOrThrow, shapesEqual, sizeOf } from './shape.js';
import { Tensor, wrapStorage } from './tensor.js';

export type BinaryFn = (x: number, y: number) => number;
export type UnaryFn = (x: number) => number;

/** Applies `f` to every element. */
export function unary(x: Tensor, f: UnaryFn, dtype: DType = x.dtype): Tensor {
  const src = x.data;
  const out = allocate(dtype, src.length);
  for (let i = 0; i < src.length; i++) out[i] = f(src[i]!);
  return wrapStorage(out, x.shape);
}

/**
 * Elementwise `f(a, b)` with broadcasting; `op` names the caller in shape errors.
 */
export function binary(op: string, a: Tensor, b: Tensor, f: BinaryFn): Tensor {
  const dtype = promote(a.dtype, b.dtype);
  const ad = a.data, bd = b.data;
  if (shapesEqual(a.shape, b.shape)) {
    const out = allocate(dtype, ad.length);
    for (let i = 0; i < out.length; i++) out[i] = f(ad[i]!, bd[i]!);
    return wrapStorage(out, a.shape);
  }
  // A size-1 operand of no higher rank leaves the other's shape as it is: keep that array (no new
  // one per call, and wrapStorage then finds last tick's Tensor under an arena).
  const shape = b.size === 1 && b.rank <= a.rank ? a.shape : a.size === 1 && a.rank <= b.rank ? b.shape : broadcastOrThrow(op, a.shape, b.shape);
  const out = allocate(dtype, sizeOf(shape));
  if (b.size === 1 && shapesEqual(shape, a.shape)) {
    const y = bd[0]!;
    for (let i = 0; i < out.length; i++) out[i] = f(ad[i]!, y);
  } else if (a.size === 1 && shapesEqual(shape, b.shape)) {
    const x = ad[0]!;
    for (let i = 0; i < out.length; i++) out[i] = f(x, bd[i]!);
  } else {
    broadcastLoop(a, b, shape, out.length, (o, ia, ib) => {
      out[o] = f(ad[ia]!, bd[ib]!);
    });
  }
  return wrapStorage(out, shape);
}

/**
 * Walks the output of a broadcast in row-major order, calling `visit(outIndex, aIndex, bIndex)`.
 * Uses an odometer over the output dimensions with per-input strides (0 on broadcast dims).
 */
export function broadcastLoop(
  a: { shape: Shape },
  b: { shape: Shape },
  shape: Shape,
  size: number,
  visit: (o: number, ia: number, ib: number) => void,
): void {
  const rank = shape.length;
  const sa = broadcastStrides(a.shape, shape);
  const sb = broadcastStrides(b.shape, shape);
  const counter = new Array<number>(rank).fill(0);
  let ia = 0, ib = 0;
  for (let o = 0; o < size; o++) {
    visit(o, ia, ib);
    for (let d = rank - 1; d >= 0; d--) {
      const c = ++counter[d]!;
      ia += sa[d]!;
      ib += sb[d]!;
      if (c < shape[d]!) break;
      counter[d] = 0;
      ia -= sa[d]! * c;
      ib -= sb[d]! * c;
    }
  }
}

/** Strides (in elements) of `from` read as if broadcast to `to`: 0 where `from` repeats. */
export function broadcastStrides(from: Shape, to: Shape): number[] {
  const rank = to.length;
  const strides = new Array<number>(rank).fill(0);
  let s = 1;
  for (let i = from.length - 1; i >= 0; i--) {
    const d = from[i]!;
    const j = rank - from.length + i;
    strides[j] = d === 1 && to[j] !== 1 ? 0 : s;
    s *= d;
  }
  return strides;
}

/** Copies `x` broadcast to `shape` (like `torch.broadcast_to`, but materialised). */
export function broadcastTo(x: Tensor, shape: Shape): Tensor {
  if (shapesEqual(x.shape, shape)) return x;
  const target = broadcastOrThrow('broadcastTo', x.shape, shape);
  if (!shapesEqual(target, shape)) {
    throw new RangeError(`broadcastTo: shape [${x.shape.join(',')}] cannot be broadcast to [${shape.join(',')}]`);
  }
  const out = allocate(x.dtype, sizeOf(shape));
  const xd = x.data;
  broadcastLoop(x, { shape }, shape, out.length, (o, ia) => {
    out[o] = xd[ia]!;
  });
  return new Tensor(out, shape.slice());
}

/*
 * The four arithmetic kernels. Each has a same-shape loop, a trailing-broadcast loop (the bias case
 * `[n, k] + [k]`) and falls back to the general broadcast.
 */

/** Is `b` a suffix of `a`'s shape (so b repeats every b.size elements of a)? */
function isTrailing(a: Shape, b: Shape): boolean {
  if (b.length > a.length) return false;
  for (let i = 1; i <= b.length; i++) if (a[a.length - i] !== b[b.length - i]) return false;
  return true;
}

export function add(a: Tensor, b: Tensor): Tensor {
  const ad = a.data, bd = b.data;
  if (shapesEqual(a.shape, b.shape)) {
    const out = allocate(promote(a.dtype, b.dtype), ad.length);
    for (let i = 0; i < out.length; i++) out[i] = ad[i]! + bd[i]!;
    return wrapStorage(out, a.shape);
  }
  if (isTrailing(a.shape, b.shape)) {
    const out = allocate(promote(a.dtype, b.dtype), ad.length);
    const m = bd.length;
    for (let i = 0; i < out.length; i += m) for (let j = 0; j < m; j++) out[i + j] = ad[i + j]! + bd[j]!;
    return wrapStorage(out, a.shape);
  }
  return binary('add', a, b, (x, y) => x + y);
}

export function sub(a: Tensor, b: Tensor): Tensor {
  const ad = a.data, bd = b.data;
  if (shapesEqual(a.shape, b.shape)) {
    const out = allocate(promote(a.dtype, b.dtype), ad.length);
    for (let i = 0; i < out.length; i++) out[i] = ad[i]! - bd[i]!;
    return wrapStorage(out, a.shape);
  }
  return binary('sub', a, b, (x, y) => x - y);
}

export function mul(a: Tensor, b: Tensor): Tensor {
  const ad = a.data, bd = b.data;
  if (shapesEqual(a.shape, b.shape)) {
    const out = allocate(promote(a.dtype, b.dtype), ad.length);
    for (let i = 0; i < out.length; i++) out[i] = ad[i]! * bd[i]!;
    return wrapStorage(out, a.shape);
  }
  return binary('mul', a, b, (x, y) => x * y);
}

export function div(a: Tensor, b: Tensor): Tensor {
  return binary('div', a, b, (x, y) => x / y);
}

/** `x * s` for a number `s`. */
export function scale(x: Tensor, s: number): Tensor {
  const xd = x.data;
  const out = allocate(x.dtype, xd.length);
  for (let i = 0; i < out.length; i++) out[i] = xd[i]! * s;
  return wrapStorage(out, x.shape);
}

/** `-x`. */
export function neg(x: Tensor): Tensor {
  return scale(x, -1);
}
