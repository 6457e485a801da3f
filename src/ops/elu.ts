import { kernels } from '../tensor/index.js';
import { defineOp } from './op.js';
import { pointwiseGrad } from './grad-util.js';

export interface EluAttrs {
  /** Scale of the negative branch. Default 1. */
  alpha?: number;
}

function alphaOf(attrs: EluAttrs): number {
  const a = attrs.alpha ?? 1;
  if (typeof a !== 'number' || !Number.isFinite(a)) throw new TypeError(`elu: alpha must be a finite number, got ${String(a)}`);
  return a;
}

/**
 * The exponential linear unit, elementwise.
 *
 * Forward: `out = x` where x > 0, `α·(eˣ − 1)` elsewhere (computed with expm1, exact near 0).
 * Backward: `∂x = g` where x > 0, `g·α·eˣ` elsewhere.
 *
 * @example
 * elu(tensor([-1, 2]));                  // [-0.6321205588285577, 2]
 * x.pipe(elu({ alpha: 0.5 }));
 */
export const elu = defineOp<EluAttrs, 1>({
  name: 'elu',
  arity: 1,
  recyclable: true,
  forward: ([x], attrs) => {
    const alpha = alphaOf(attrs);
    return kernels.unary(x, (v) => (v > 0 ? v : alpha * Math.expm1(v)));
  },
  backward: (g, { inputs: [x], attrs }, needs) => {
    if (!needs[0]) return [null];
    const alpha = alphaOf(attrs);
    return [pointwiseGrad(g, x, x, (gv, xv) => (xv > 0 ? gv : gv * alpha * Math.exp(xv)))];
  },
});
