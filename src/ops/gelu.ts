import { kernels } from '../tensor/index.js';
import { defineOp } from './op.js';
import { pointwiseGrad } from './grad-util.js';
import { stableSigmoid } from './sigmoid.js';

export interface GeluAttrs {
  /** `'none'` (default): the exact x·Φ(x); `'tanh'`: the tanh approximation. As PyTorch. */
  approximate?: 'none' | 'tanh';
}

const K = Math.sqrt(2 / Math.PI), C = 0.044715;

function isTanh(attrs: GeluAttrs): boolean {
  const a = attrs.approximate ?? 'none';
  if (a !== 'none' && a !== 'tanh') throw new RangeError(`gelu: approximate must be 'none' or 'tanh', got ${String(a)}`);
  return a === 'tanh';
}

/**
 * The Gaussian error linear unit, elementwise, as PyTorch's `gelu(approximate)`.
 *
 * Forward: exact `out = x·Φ(x)`, Φ the standard normal CDF; tanh form `out = ½x(1 + tanh u)`,
 * `u = √(2/π)(x + 0.044715x³)`. Backward: exact `∂x = g·(Φ(x) + x·φ(x))`; tanh form
 * `∂x = g·(½(1 + t) + ½x(1 − t²)·√(2/π)(1 + 3·0.044715x²))`, t = tanh u.
 *
 * NOTE: Φ(x) is ½·erfc(−x/√2) and ½(1 + tanh u) is σ(2u): the textbook ½(1 + erf) and 1 + tanh
 * cancel to 0 for x below about −6, where these forms keep full relative accuracy. (PyTorch uses the
 * textbook forms, so it returns −0 where the true value is a tiny negative number.)
 *
 * @example
 * gelu(tensor([1]));                          // [0.841344746068543] = 1·Φ(1)
 * x.pipe(gelu({ approximate: 'tanh' }));
 */
export const gelu = defineOp<GeluAttrs, 1>({
  name: 'gelu',
  arity: 1,
  recyclable: true,
  forward: ([x], attrs) => {
    if (isTanh(attrs)) return kernels.unary(x, (v) => v * stableSigmoid(2 * K * (v + C * v * v * v)));
    return kernels.unary(x, (v) => v * kernels.normalCdf(v));
  },
  backward: (g, { inputs: [x], attrs }, needs) => {
    if (!needs[0]) return [null];
    if (isTanh(attrs)) {
      // With s = σ(2u): ½(1 + t) = s and ½(1 − t²) = 2s(1 − s). Once s saturates the second
      // term is 0, even where v² would overflow (0·inf would be NaN).
      return [pointwiseGrad(g, x, x, (gv, v) => {
        const s = stableSigmoid(2 * K * (v + C * v * v * v)), q = s * (1 - s);
        return gv * (s + (q === 0 ? 0 : 2 * v * q * K * (1 + 3 * C * v * v)));
      })];
    }
    return [pointwiseGrad(g, x, x, (gv, v) => gv * (kernels.normalCdf(v) + v * kernels.normalPdf(v)))];
  },
});
