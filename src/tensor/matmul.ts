/**
 * Matrix products. The 2-D kernel runs in i-k-j order: the innermost loop walks a row of `b` and a
 * row of the output contiguously, which is what the cache and V8's bounds-check elimination like.
 * N-D inputs are batches of matrices whose batch dimensions broadcast, as in `torch.matmul`.
 */
import { type TypedArray, allocate, promote } from './dtype.js';
import { broadcastShapes, formatShape, sizeOf } from './shape.js';
import { broadcastStrides } from './elementwise.js';
import { Tensor } from './tensor.js';

/**
 * out[m×n] (+)= a[m×k] · b[k×n] on raw storage at the given offsets. `accumulate` adds into `out`
 * instead of overwriting it.
 */
export function gemm(
  a: TypedArray, aOff: number, b: TypedArray, bOff: number, out: TypedArray, oOff: number,
  m: number, k: number, n: number, accumulate = false,
): void {
  if (!accumulate) out.fill(0, oOff, oOff + m * n);
  for (let i = 0; i < m; i++) {
    const orow = oOff + i * n;
    const arow = aOff + i * k;
    for (let p = 0; p < k; p++) {
      const av = a[arow + p]!;
      const brow = bOff + p * n;
      for (let j = 0; j < n; j++) out[orow + j] = out[orow + j]! + av * b[brow + j]!;
    }
  }
}

/**
 * out[m×n] = aᵀ · b where a is stored [k×m] and b [k×n] (the weight gradient `xᵀ·g`).
 */
export function gemmTN(
  a: TypedArray, aOff: number, b: TypedArray, bOff: number, out: TypedArray, oOff: number,
  m: number, k: number, n: number, accumulate = false,
): void {
  if (!accumulate) out.fill(0, oOff, oOff + m * n);
  for (let p = 0; p < k; p++) {
    const arow = aOff + p * m;
    const brow = bOff + p * n;
    for (let i = 0; i < m; i++) {
      const av = a[arow + i]!;
      const orow = oOff + i * n;
      for (let j = 0; j < n; j++) out[orow + j] = out[orow + j]! + av * b[brow + j]!;
    }
  }
}

/**
 * out[m×n] = a · bᵀ where a is [m×k] and b is stored [n×k] (the input gradient `g·Wᵀ`): each output
 * is a dot product of two contiguous rows.
 */
export function gemmNT(
  a: TypedArray, aOff: number, b: TypedArray, bOff: number, out: TypedArray, oOff: number,
  m: number, k: number, n: number, accumulate = false,
): void {
  for (let i = 0; i < m; i++) {
    const arow = aOff + i * k;
    const orow = oOff + i * n;
    for (let j = 0; j < n; j++) {
      const brow = bOff + j * k;
      let acc = 0;
      for (let p = 0; p < k; p++) acc += a[arow + p]! * b[brow + p]!;
      out[orow + j] = accumulate ? out[orow + j]! + acc : acc;
    }
  }
}

/** Which gemm variant to use for each operand's layout. */
export interface MatmulTranspose {
  /** Read `a` transposed (its last two dims swapped). */
  transposeA?: boolean;
  /** Read `b` transposed. */
  transposeB?: boolean;
}

/**
 * `torch.matmul` semantics: 1-D operands are promoted (a vector `a` becomes a row, `b` a column) and
 * the promoted dimension is removed from the result; N-D operands broadcast their batch dims.
 *
 * @example
 * matmul(tensor([[1, 2]]), tensor([[3], [4]]));   // [[11]]
 */
export function matmul(a: Tensor, b: Tensor, options?: MatmulTranspose): Tensor {
  const ta = options?.transposeA ?? false, tb = options?.transposeB ?? false;
  // Fast path: a vector or matrix times a matrix, the shape of every dense layer. No batch
  // bookkeeping, no intermediate arrays.
  if (b.rank === 2 && (a.rank === 2 || (a.rank === 1 && !ta))) {
    const as = a.shape, bs = b.shape;
    const m = a.rank === 1 ? 1 : ta ? as[1]! : as[0]!;
    const ka = a.rank === 1 ? as[0]! : ta ? as[0]! : as[1]!;
    const kb = tb ? bs[1]! : bs[0]!;
    const n = tb ? bs[0]! : bs[1]!;
    if (ka === kb) {
      const out = allocate(a.dtype === 'float64' || b.dtype === 'float64' ? 'float64' : 'float32', m * n);
      if (ta) {
        if (tb) gemmTT(a.data, 0, b.data, 0, out, 0, m, ka, n);
        else gemmTN(a.data, 0, b.data, 0, out, 0, m, ka, n, true);
      } else if (tb) gemmNT(a.data, 0, b.data, 0, out, 0, m, ka, n, true);
      else gemm(a.data, 0, b.data, 0, out, 0, m, ka, n, true);
      return new Tensor(out, a.rank === 1 ? [n] : [m, n]);
    }
  }
  if (a.rank === 0 || b.rank === 0) {
    throw new RangeError(`matmul: both operands need at least 1 dimension, got ${formatShape(a.shape)} and ${formatShape(b.shape)}`);
  }
  const aShape = a.rank === 1 ? [1, a.shape[0]!] : a.shape.slice();
  const bShape = b.rank === 1 ? [b.shape[0]!, 1] : b.shape.slice();
  const ar = aShape.length, br = bShape.length;
  const m = ta ? aShape[ar - 1]! : aShape[ar - 2]!;
  const ka = ta ? aShape[ar - 2]! : aShape[ar - 1]!;
  const kb = tb ? bShape[br - 1]! : bShape[br - 2]!;
  const n = tb ? bShape[br - 2]! : bShape[br - 1]!;
  if (ka !== kb) {
    throw new RangeError(
      `matmul: inner dimensions differ: ${formatShape(a.shape)}${ta ? 'ᵀ' : ''} · ${formatShape(b.shape)}${tb ? 'ᵀ' : ''} (${ka} ≠ ${kb})`,
    );
  }
  const aBatch = aShape.slice(0, ar - 2), bBatch = bShape.slice(0, br - 2);
  const batch = broadcastShapes(aBatch, bBatch);
  if (batch === null) {
    throw new RangeError(`matmul: batch dimensions of ${formatShape(a.shape)} and ${formatShape(b.shape)} cannot be broadcast`);
  }
  const dtype = promote(a.dtype, b.dtype);
  const nb = sizeOf(batch);
  const out = allocate(dtype, nb * m * n);
  const kernel = ta ? (tb ? null : gemmTN) : tb ? gemmNT : gemm;
  const sa = broadcastStrides(aBatch, batch), sb = broadcastStrides(bBatch, batch);
  const counter = new Array<number>(batch.length).fill(0);
  let offA = 0, offB = 0;
  const matA = m * ka, matB = ka * n;
  for (let t = 0; t < nb; t++) {
    if (kernel) kernel(a.data, offA * matA, b.data, offB * matB, out, t * m * n, m, ka, n);
    else gemmTT(a.data, offA * matA, b.data, offB * matB, out, t * m * n, m, ka, n);
    for (let d = batch.length - 1; d >= 0; d--) {
      const c = ++counter[d]!;
      offA += sa[d]!;
      offB += sb[d]!;
      if (c < batch[d]!) break;
      counter[d] = 0;
      offA -= sa[d]! * c;
      offB -= sb[d]! * c;
    }
  }
  const shape = [...batch];
  if (a.rank !== 1) shape.push(m);
  if (b.rank !== 1) shape.push(n);
  return new Tensor(out, shape);
}

/** aᵀ·bᵀ, rare; written plainly. */
function gemmTT(a: TypedArray, aOff: number, b: TypedArray, bOff: number, out: TypedArray, oOff: number, m: number, k: number, n: number): void {
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let acc = 0;
      for (let p = 0; p < k; p++) acc += a[aOff + p * m + i]! * b[bOff + j * k + p]!;
      out[oOff + i * n + j] = acc;
    }
  }
}
