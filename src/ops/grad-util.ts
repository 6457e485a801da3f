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
