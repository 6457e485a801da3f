import { Tensor, allocate, kernels } from '../tensor/index.js';
import { defineOp } from './op.js';

/** Attributes of `softmax` and `logSoftmax`. */
export interface SoftmaxAttrs {
  /** The axis that sums to 1 (negative counts from the end). Default -1. */
  axis?: number;
}

/**
 * Exponentials normalised to sum to 1 along an axis: a probability distribution from scores.
 *
 * Forward: `yⱼ = exp(xⱼ − m) / Σₖ exp(xₖ − m)`, m the lane's maximum, so no exponential overflows.
 * Backward: `∂x = y ⊙ (g − Σⱼ gⱼ·yⱼ)` along the axis, from the saved output.
 *
 * NOTE: a lane holding +inf or only −inf gives NaN, as in PyTorch. For a loss, prefer
 * logSoftmax or crossEntropy: log(softmax) underflows to −inf where logSoftmax stays finite.
 *
 * @example
 * softmax(tensor([1, 1]));                    // [0.5, 0.5]
 * logits.pipe(softmax({ axis: 1 }));
 */
export const softmax = defineOp<SoftmaxAttrs, 1>({
  name: 'softmax',
  arity: 1,
  recyclable: true,
  forward: ([x], attrs) => kernels.softmax(x, attrs.axis ?? -1),
  backward: (g, { inputs: [x], output, attrs }, needs) => {
    if (!needs[0]) return [null];
    const gd = g.data, yd = output.data;
    const dx = allocate(x.dtype, x.size);
    kernels.forEachLane(x.shape, attrs.axis ?? -1, (base, stride, n) => {
      let dot = 0;
      for (let j = 0; j < n; j++) dot += gd[base + j * stride]! * yd[base + j * stride]!;
      for (let j = 0; j < n; j++) {
        const i = base + j * stride;
        dx[i] = yd[i]! * (gd[i]! - dot);
      }
    });
    return [new Tensor(dx, x.shape)];
  },
});
