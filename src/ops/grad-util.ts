/** Small helpers every backward uses. */
import { type Tensor, kernels } from '../tensor/index.js';

/**
 * The gradient for input `x` from an output gradient `g` that was broadcast over x: summed over the
 * broadcast axes and cast to x's dtype, so each gradient has its input's shape and dtype.
 */
export function unbroadcast(g: Tensor, x: Tensor): Tensor {
  return kernels.sumTo(g, x.shape).astype(x.dtype);
}
