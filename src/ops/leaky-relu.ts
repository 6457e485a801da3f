import { kernels } from '../tensor/index.js';
import { defineOp } from './op.js';
import { pointwiseGrad } from './grad-util.js';

export interface LeakyReluAttrs {
  /** Slope for x ≤ 0. Default 0.01 (PyTorch's `negative_slope`). */
  slope?: number;
}

function slopeOf(attrs: LeakyReluAttrs): number {
  const s = attrs.slope ?? 0.01;
  if (typeof s !== 'number' || !Number.isFinite(s)) throw new TypeError(`leakyRelu: slope must be a finite number, got ${String(s)}`);
  return s;
}

/**
 * The leaky rectifier, elementwise.
 *
 * Forward: `out = x` where x > 0, `slope·x` elsewhere. Backward: `∂x = g` where x > 0, `slope·g`
 * elsewhere (slope at x = 0, as PyTorch).
 *
 * @example
 * leakyRelu(tensor([-10, 3]));              // [-0.1, 3]
 * x.pipe(leakyRelu({ slope: 0.2 }));
 */
export const leakyRelu = defineOp<LeakyReluAttrs, 1>({
  name: 'leakyRelu',
  arity: 1,
  recyclable: true,
  forward: ([x], attrs) => {
    const s = slopeOf(attrs);
    return kernels.unary(x, (v) => (v > 0 ? v : s * v));
  },
  backward: (g, { inputs: [x], attrs }, needs) => {
    if (!needs[0]) return [null];
    const s = slopeOf(attrs);
    return [pointwiseGrad(g, x, x, (gv, xv) => (xv > 0 ? gv : s * gv))];
  },
});
