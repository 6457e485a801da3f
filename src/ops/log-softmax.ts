import { Tensor, allocate, kernels } from '../tensor/index.js';
import { defineOp } from './op.js';
import type { SoftmaxAttrs } from './softmax.js';

/**
 * Log-probabilities along an axis, computed without overflow or underflow to −inf.
 *
 * Forward: `yⱼ = xⱼ − m − log Σₖ exp(xₖ − m)`, m the lane's maximum (the log-sum-exp trick; the log
 * is a log1p of the non-maximal terms, so a confident lane keeps its tiny log-probabilities).
 * Backward: `∂x = g − softmax(x)·Σⱼ gⱼ` along the axis, softmax(x) = exp(y) from the saved output.
 *
 * @example
 * logSoftmax(tensor([0, 0]));                 // [-0.6931471805599453, -0.6931471805599453]
 * logits.pipe(logSoftmax(), nll(labels));
 */
export const logSoftmax = defineOp<SoftmaxAttrs, 1>({
  name: 'logSoftmax',
  arity: 1,
  recyclable: true,
  forward: ([x], attrs) => kernels.logSoftmax(x, attrs.axis ?? -1),
  backward: (g, { inputs: [x], output, attrs }, needs) => {
    if (!needs[0]) return [null];
    const gd = g.data, yd = output.data;
    const dx = allocate(x.dtype, x.size);
    kernels.forEachLane(x.shape, attrs.axis ?? -1, (base, stride, n) => {
      let total = 0;
      for (let j = 0; j < n; j++) total += gd[base + j * stride]!;
      for (let j = 0; j < n; j++) {
        const i = base + j * stride;
        dx[i] = gd[i]! - Math.exp(yd[i]!) * total;
      }
    });
    return [new Tensor(dx, x.shape)];
  },
});
