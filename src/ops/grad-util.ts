/** Small helpers every backward uses. */
import { type Tensor, Tensor as T, allocate, kernels } from '../tensor/index.js';

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
  const out = allocate(x.dtype, x.size);
  for (let i = 0; i < out.length; i++) out[i] = f(gd[i]!, vd[i]!);
  return new T(out, x.shape);
}

/**
 * The gradients of a dense product `x·W` (x [k] or [m, k], W [k, n]) for an upstream g of the
 * product's shape: `∂x = g·Wᵀ`, `∂W = xᵀ·g`, through the transposed kernels (no copies, no
 * reshapes). Shared by matmul's and affine's fast paths, so the two give the same bits.
 */
export function denseGrads(g: Tensor, x: Tensor, w: Tensor, needX: boolean, needW: boolean): [Tensor | null, Tensor | null] {
  const m = x.rank === 1 ? 1 : x.shape[0]!, k = w.shape[0]!, n = w.shape[1]!;
  let dx: Tensor | null = null, dw: Tensor | null = null;
  if (needX) {
    const out = allocate(x.dtype, m * k);
    kernels.gemmNT(g.data, 0, w.data, 0, out, 0, m, n, k, true);
    dx = new T(out, x.shape);
  }
  if (needW) {
    const out = allocate(w.dtype, k * n);
    kernels.gemmTN(x.data, 0, g.data, 0, out, 0, k, m, n, true);
    dw = new T(out, w.shape);
  }
  return [dx, dw];
}
