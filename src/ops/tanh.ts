import { empty } from '../tensor/index.js';
import { defineOp } from './op.js';
import { gradsOf1 } from './grad-util.js';

/** tanh'(x) = 1 − tanh²x = 4e^(−2|x|) / (1 + e^(−2|x|))², exact in both tails. */
export function tanhSlope(x: number): number {
  const e = Math.exp(-2 * Math.abs(x)), d = 1 + e;
  return (4 * e) / (d * d);
}

/**
 * The hyperbolic tangent, elementwise (Math.tanh saturates to ±1 without overflow).
 *
 * Forward: `out = tanh x`. Backward: `∂x = g·(1 − tanh²x)`.
 *
 * NOTE: 1 − y² from the saved output loses digits as y nears ±1 and rounds to 0 beyond |x| ≈ 19,
 * where the true slope is still about 4e^(−2|x|): from |x| = 4 on, the slope is computed from x.
 *
 * @example
 * tanh(tensor([0]));                    // [0]
 * x.pipe(matmul(W), add(b), tanh());
 */
export const tanh = defineOp({
  name: 'tanh',
  arity: 1,
  recyclable: true,
  // Plain loops: a per-element callback through a shared kernel costs more than the tanh itself.
  forward: ([x]) => {
    const xd = x.data, result = empty(x.shape, x.dtype), out = result.data;
    for (let i = 0; i < out.length; i++) out[i] = Math.tanh(xd[i]!);
    return result;
  },
  backward: (g, { inputs: [x], output }, needs, into) => {
    if (!needs[0]) return gradsOf1(into, null);
    const xd = x.data, yd = output.data, gd = g.data, result = empty(x.shape, x.dtype), out = result.data;
    for (let i = 0; i < out.length; i++) {
      // (1 − y)(1 + y) from the saved output (PyTorch's 1 − y², without its cancellation) while
      // |x| < 4; the exp form beyond, where 1 − |y| loses digits.
      const v = xd[i]!, y = yd[i]!;
      out[i] = gd[i]! * (v < 4 && v > -4 ? (1 - y) * (1 + y) : tanhSlope(v));
    }
    return gradsOf1(into, result);
  },
});
