/**
 * Matrix products: the `gemm*` entry points (raw storage, offsets, one per transposition) dispatch
 * to the kernels in ./gemm (plain loops, a register-blocked TypeScript kernel, a WebAssembly SIMD
 * kernel) by size; `matmul` builds on them with `torch.matmul` semantics. N-D inputs are batches of
 * matrices whose batch dimensions broadcast.
 */
import { type TypedArray, allocate, promote } from './dtype.js';
import { broadcastShapes, formatShape, sizeOf } from './shape.js';
import { broadcastStrides } from './elementwise.js';
import { Tensor } from './tensor.js';
import { blocked, smallNN, smallNT, smallTN } from './gemm/js.js';
import { wasmAvailable, wasmGemm } from './gemm/wasm.js';

/** Which kernels run the products: see {@link setMatmulBackend}. */
export type MatmulBackend = 'auto' | 'js' | 'wasm';

let backend: MatmulBackend = 'auto';

/**
 * Chooses the kernels for every later product. `'auto'` (the default) picks by shape and dtype
 * alone, so a given product always runs the same kernel: the plain loops for tiny products, the
 * register-blocked TypeScript kernel above {@link BLOCKED_MIN_WORK}, and the WebAssembly SIMD kernel
 * above {@link WASM_MIN_WORK} where the host has WebAssembly SIMD. `'js'` never uses wasm; `'wasm'`
 * uses it for every product it can take (all operands of one dtype), for tests and benchmarks.
 * In float64 all kernels give the same bits; in float32 they differ in the last bits. Returns the
 * previous setting.
 */
export function setMatmulBackend(next: MatmulBackend): MatmulBackend {
  const previous = backend;
  backend = next;
  return previous;
}

/** The current setting of {@link setMatmulBackend}. */
export function matmulBackend(): MatmulBackend {
  return backend;
}

/** Whether the WebAssembly SIMD kernel can run in this host. */
export { wasmAvailable };

/**
 * Products of at least this many multiply-adds (m·k·n) run the register-blocked kernel; smaller
 * ones the plain loops, which have no set-up (see the sweep in bench/matmul-kernels.ts).
 */
export const BLOCKED_MIN_WORK = 64;

/**
 * Products of at least this many multiply-adds, with at least WASM_MIN_ROWS rows, run the wasm
 * kernel under `'auto'`. Below, copying the operands in and out (about 0.1 µs a call plus the
 * copies) costs more than SIMD saves; a single row wastes three quarters of the kernel's 4-row
 * tiles and the TypeScript kernel's 1×4 tiles win (see the sweep in bench/matmul-kernels.ts).
 */
export const WASM_MIN_WORK = 1024;
export const WASM_MIN_ROWS = 2;

/**
 * The kernel that a product of these sizes runs under the current backend, when all its operands
 * have one dtype (mixed dtypes never run in wasm). A function of the sizes alone, never of timing.
 * (gemmTT has no plain loops: where this says 'loops', it runs 'blocked'.)
 */
export function gemmKernelFor(m: number, k: number, n: number): 'loops' | 'blocked' | 'wasm' {
  if (backend === 'wasm') return wasmAvailable() ? 'wasm' : 'blocked';
  const work = m * k * n;
  if (work < BLOCKED_MIN_WORK) return 'loops';
  if (backend === 'auto' && work >= WASM_MIN_WORK && m >= WASM_MIN_ROWS && wasmAvailable()) return 'wasm';
  return 'blocked';
}

/** Dispatches one product whose layout is given by strides (see ./gemm/js.ts `blocked`). */
function strided(
  a: TypedArray, aOff: number, ars: number, acs: number, b: TypedArray, bOff: number, brs: number, bcs: number,
  out: TypedArray, oOff: number, m: number, k: number, n: number, accumulate: boolean,
): void {
  if (backend !== 'js' && gemmKernelFor(m, k, n) === 'wasm' && sameKind(a, b, out)) {
    if (wasmGemm(a, aOff, ars, acs, b, bOff, brs, bcs, out, oOff, m, k, n, accumulate)) return;
  }
  blocked(a, aOff, ars, acs, b, bOff, brs, bcs, out, oOff, m, k, n, accumulate);
}

function sameKind(a: TypedArray, b: TypedArray, out: TypedArray): boolean {
  const double = out instanceof Float64Array;
  return a instanceof Float64Array === double && b instanceof Float64Array === double;
}

/**
 * out[m×n] (+)= a[m×k] · b[k×n] on raw storage at the given offsets. `accumulate` adds into `out`
 * instead of overwriting it. Each output is summed as out + a(i,0)·b(0,j) + a(i,1)·b(1,j) + …, in
 * that order, whichever kernel runs.
 */
export function gemm(
  a: TypedArray, aOff: number, b: TypedArray, bOff: number, out: TypedArray, oOff: number,
  m: number, k: number, n: number, accumulate = false,
): void {
  if (m * k * n < BLOCKED_MIN_WORK && backend !== 'wasm') smallNN(a, aOff, b, bOff, out, oOff, m, k, n, accumulate);
  else strided(a, aOff, k, 1, b, bOff, n, 1, out, oOff, m, k, n, accumulate);
}

/**
 * out[m×n] (+)= aᵀ · b where a is stored [k×m] and b [k×n] (the weight gradient `xᵀ·g`).
 */
export function gemmTN(
  a: TypedArray, aOff: number, b: TypedArray, bOff: number, out: TypedArray, oOff: number,
  m: number, k: number, n: number, accumulate = false,
): void {
  if (m * k * n < BLOCKED_MIN_WORK && backend !== 'wasm') smallTN(a, aOff, b, bOff, out, oOff, m, k, n, accumulate);
  else strided(a, aOff, 1, m, b, bOff, n, 1, out, oOff, m, k, n, accumulate);
}

/**
 * out[m×n] (+)= a · bᵀ where a is [m×k] and b is stored [n×k] (the input gradient `g·Wᵀ`).
 */
export function gemmNT(
  a: TypedArray, aOff: number, b: TypedArray, bOff: number, out: TypedArray, oOff: number,
  m: number, k: number, n: number, accumulate = false,
): void {
  if (m * k * n < BLOCKED_MIN_WORK && backend !== 'wasm') smallNT(a, aOff, b, bOff, out, oOff, m, k, n, accumulate);
  else strided(a, aOff, k, 1, b, bOff, 1, k, out, oOff, m, k, n, accumulate);
}

/** out[m×n] (+)= aᵀ · bᵀ where a is stored [k×m] and b [n×k]; rare, so no small-size loop. */
export function gemmTT(
  a: TypedArray, aOff: number, b: TypedArray, bOff: number, out: TypedArray, oOff: number,
  m: number, k: number, n: number, accumulate = false,
): void {
  strided(a, aOff, 1, m, b, bOff, 1, k, out, oOff, m, k, n, accumulate);
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
        if (tb) gemmTT(a.data, 0, b.data, 0, out, 0, m, ka, n, true);
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
  const kernel = ta ? (tb ? gemmTT : gemmTN) : tb ? gemmNT : gemm;
  const sa = broadcastStrides(aBatch, batch), sb = broadcastStrides(bBatch, batch);
  const counter = new Array<number>(batch.length).fill(0);
  let offA = 0, offB = 0;
  const matA = m * ka, matB = ka * n;
  for (let t = 0; t < nb; t++) {
    kernel(a.data, offA * matA, b.data, offB * matB, out, t * m * n, m, ka, n);
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
