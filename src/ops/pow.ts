import { kernels, zerosLike } from '../tensor/index.js';
import { defineOp } from './op.js';
import { pointwiseGrad } from './grad-util.js';

export interface PowAttrs {
  /** The constant exponent p (required). */
  exponent: number;
}

function exponentOf(attrs: PowAttrs): number {
  const p = attrs.exponent;
  if (typeof p !== 'number' || Number.isNaN(p)) throw new TypeError(`pow: attrs.exponent must be a number, got ${String(p)}`);
  return p;
}

/**
 * Elementwise power with a constant exponent, following Math.pow (as torch.pow: a negative base with
 * a non-integer exponent gives NaN, 0 to a negative power gives +inf).
 *
 * Forward: `out = x^p`. Backward: `∂x = g·p·x^(p−1)`; exactly 0 when p = 0 (as PyTorch, rather
 * than 0·x⁻¹, which is NaN at x = 0).
 *
 * @example
 * pow(tensor([2, 3]), { exponent: 2 });     // [4, 9]
 * x.pipe(pow({ exponent: 0.5 }));            // a square root
 */
export const pow = defineOp<PowAttrs, 1>({
  name: 'pow',
  arity: 1,
  recyclable: true,
  forward: ([x], attrs) => {
    const p = exponentOf(attrs);
    return kernels.unary(x, (v) => Math.pow(v, p));
  },
  backward: (g, { inputs: [x], attrs }, needs) => {
    if (!needs[0]) return [null];
    const p = exponentOf(attrs);
    if (p === 0) return [zerosLike(x)];
    return [pointwiseGrad(g, x, x, (gv, xv) => gv * p * Math.pow(xv, p - 1))];
  },
});
