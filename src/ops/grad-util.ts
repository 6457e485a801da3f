/** Small helpers every backward uses. */
import { type DType, type Shape, Tensor, type TypedArray, allocate, empty, enterArena, kernels, restoreArena } from '../tensor/index.js';

/**
 * Whether every product must run in the wasm kernel (setMatmulBackend('wasm'), for testing it): then
 * the one-row loops of affine and denseGrads step aside.
 */
export const wasmForced = (): boolean => kernels.matmulBackend() === 'wasm';

/**
 * The gradient for input `x` from an output gradient `g` that was broadcast over x: summed over the
 * broadcast axes and cast to x's dtype, so each gradient has its input's shape and dtype.
 */
export function unbroadcast(g: Tensor, x: Tensor): Tensor {
  return kernels.sumTo(g, x.shape).astype(x.dtype);
}

/**
 * The gradient of an elementwise op: `∂x[i] = f(g[i], v[i])`, where `v` is the input or the saved
 * output (both have g's shape), stored in x's dtype.
 */
export function pointwiseGrad(g: Tensor, x: Tensor, v: Tensor, f: (gv: number, v: number) => number): Tensor {
  const gd = g.data, vd = v.data;
  const result = empty(x.shape, x.dtype), out = result.data;
  for (let i = 0; i < out.length; i++) out[i] = f(gd[i]!, vd[i]!);
  return result;
}

/**
 * The gradients of a dense product `x·W` (x [k] or [m, k], W [k, n]) for an upstream g of the
 * product's shape: `∂x = g·Wᵀ`, `∂W = xᵀ·g`, through the transposed kernels (no copies, no
 * reshapes), written to `out[0]` and `out[1]`. Shared by matmul's and affine's fast paths, so the
 * two give the same bits.
 */
export function denseGrads(g: Tensor, x: Tensor, w: Tensor, needX: boolean, needW: boolean, out: (Tensor | null)[]): void {
  const dx = needX ? empty(x.shape, x.dtype) : null;
  const dw = needW ? empty(w.shape, w.dtype) : null;
  denseGradsInto(g, x, w, dx === null ? null : dx.data, dw === null ? null : dw.data, true);
  out[0] = dx;
  out[1] = dw;
}

/**
 * {@link denseGrads} into given storage (`dx` of x's size, `dw` of W's; null where not wanted):
 * the one code path behind the op's backward and its fixed-shape plan, so both give the same bits.
 * `zeroed` says the storage is already zero-filled; the kernels add into it, so otherwise it is
 * cleared first (the one-row loops overwrite every element and need no clearing).
 */
export function denseGradsInto(g: Tensor, x: Tensor, w: Tensor, dx: TypedArray | null, dw: TypedArray | null, zeroed: boolean): void {
  const m = x.rank === 1 ? 1 : x.shape[0]!, k = w.shape[0]!, n = w.shape[1]!;
  if (m === 1 && !wasmForced()) {
    // One row (online learning's case): the two products are a row of dot products and an outer
    // product. Written out here because the gemm kernels' set-up dominates at these sizes; the
    // sums are the kernels' own, term for term (0 + Σ in order), so the bits are the same.
    const gd = g.data, wd = w.data;
    if (dx !== null) {
      if (n === 1) {
        // A single output unit: each dot product has one term.
        const g0 = gd[0]!;
        for (let i = 0; i < k; i++) dx[i] = 0 + g0 * wd[i]!;
      } else {
        // Four rows of W at a time: each dot product keeps its own order (same bits), but the four
        // running sums do not wait on each other, where one sum at a time is bound by add latency.
        const end = k - (k & 3);
        let i = 0;
        for (; i < end; i += 4) {
          const r0 = i * n, r1 = r0 + n, r2 = r1 + n, r3 = r2 + n;
          let a0 = 0, a1 = 0, a2 = 0, a3 = 0;
          for (let j = 0; j < n; j++) {
            const gj = gd[j]!;
            a0 += gj * wd[r0 + j]!;
            a1 += gj * wd[r1 + j]!;
            a2 += gj * wd[r2 + j]!;
            a3 += gj * wd[r3 + j]!;
          }
          dx[i] = a0;
          dx[i + 1] = a1;
          dx[i + 2] = a2;
          dx[i + 3] = a3;
        }
        for (; i < k; i++) {
          const row = i * n;
          let acc = 0;
          for (let j = 0; j < n; j++) acc += gd[j]! * wd[row + j]!;
          dx[i] = acc;
        }
      }
    }
    if (dw !== null) {
      const xd = x.data;
      // Each element is one product, so the loop order is free: the longer dimension innermost.
      if (n >= k) {
        for (let i = 0; i < k; i++) {
          const xi = xd[i]!, row = i * n;
          for (let j = 0; j < n; j++) dw[row + j] = 0 + xi * gd[j]!;
        }
      } else {
        for (let j = 0; j < n; j++) {
          const gj = gd[j]!;
          for (let i = 0; i < k; i++) dw[i * n + j] = 0 + xd[i]! * gj;
        }
      }
    }
    return;
  }
  if (dx !== null) {
    if (!zeroed) dx.fill(0);
    kernels.gemmNT(g.data, 0, w.data, 0, dx, 0, m, n, k, true);
  }
  if (dw !== null) {
    if (!zeroed) dw.fill(0);
    kernels.gemmTN(x.data, 0, g.data, 0, dw, 0, k, m, n, true);
  }
}

/**
 * The result array of a backward: the caller's reusable `into` when it passed one (see
 * `OpSpec.backward`), refilled; else a new array.
 */
export function gradsOf1(into: (Tensor | null)[] | undefined, a: Tensor | null): (Tensor | null)[] {
  if (into === undefined) return [a];
  into[0] = a;
  return into;
}

/** {@link gradsOf1} for two inputs. */
export function gradsOf2(into: (Tensor | null)[] | undefined, a: Tensor | null, b: Tensor | null): (Tensor | null)[] {
  if (into === undefined) return [a, b];
  into[0] = a;
  into[1] = b;
  return into;
}

/**
 * A zero-filled tensor that belongs to its caller, never an arena's buffer (for an op's plan, whose
 * storage lives from call to call). It shares `shape` (shapes are never mutated), so a gradient and
 * its parameter usually hold the same shape array and compare by reference.
 */
export function ownedTensor(shape: Shape, dtype: DType): Tensor {
  const outer = enterArena(null);
  try {
    return new Tensor(allocate(dtype, shape.reduce((a, d) => a * d, 1)), shape);
  } finally {
    restoreArena(outer);
  }
}

/**
 * A plan's answer to OpPlan.vouchesFinite for gradients of the form xᵀ·g and Σ_rows g (dense's and
 * affine's ∂W and ∂b): nothing after a forward (`clear`), the operands after a backward (`set`),
 * and productsBounded worked out on the first question only, so only a caller that asks pays.
 */
export class ProductBound {
  /** 0: nothing known; 1: operands set, not yet checked; 2: bounded; 3: not bounded. */
  private state = 0;
  private x: TypedArray | null = null;
  private g: TypedArray | null = null;
  private m = 0;

  clear(): void {
    this.state = 0;
  }

  set(x: TypedArray, g: TypedArray, m: number): void {
    this.x = x;
    this.g = g;
    this.m = m;
    this.state = 1;
  }

  /** Whether the products of the operands last set are sure to be finite. */
  holds(): boolean {
    if (this.state === 1) this.state = productsBounded(this.x!, this.g!, this.m) ? 2 : 3;
    return this.state === 2;
  }
}

/** Inputs whose squares sum below this (every |v| < 2^250) give products far from overflow. */
const SQUARES_BOUND = 2 ** 500;
/** Rows summed: with 2^20 rows at most 2^20 · 2^250 · 2^250, far below the largest double. */
const ROWS_BOUND = 2 ** 20;

/**
 * Whether every element of xᵀ·g and of g summed over its m rows is sure to be finite, whatever
 * the order of the sums: all of x and g finite and below 2^250 in magnitude (their squares sum
 * below 2^500), and fewer than 2^20 rows, so each partial sum stays below 2^520. Deliberately
 * coarse: a sum of squares has no branches (a running maximum mispredicted its way to three times
 * the cost), and values beyond 10^75 are left to the caller's own check. For float64 storage only;
 * anything else answers false ("not known"). Reads the k + n values of one row's x and g, not the
 * k·n of the product.
 */
function productsBounded(x: TypedArray, g: TypedArray, m: number): boolean {
  if (!(x instanceof Float64Array) || !(g instanceof Float64Array)) return false;
  // NaN (from a NaN or ∞ among the values) fails the comparisons too.
  return m < ROWS_BOUND && sumOfSquares(x) < SQUARES_BOUND && sumOfSquares(g) < SQUARES_BOUND;
}

/** Σ v², four running sums at a time. ±∞ and NaN give ∞ or NaN. */
function sumOfSquares(d: Float64Array): number {
  const n = d.length, end = n - (n & 3);
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0, i = 0;
  for (; i < end; i += 4) {
    const v0 = d[i]!, v1 = d[i + 1]!, v2 = d[i + 2]!, v3 = d[i + 3]!;
    s0 += v0 * v0;
    s1 += v1 * v1;
    s2 += v2 * v2;
    s3 += v3 * v3;
  }
  for (; i < n; i++) s0 += d[i]! * d[i]!;
  return s0 + s1 + (s2 + s3);
}
