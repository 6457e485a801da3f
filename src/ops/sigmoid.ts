import { Tensor as T, allocate } from '../tensor/index.js';
import { defineOp } from './op.js';

/** σ(x) without overflow: exp is only ever taken of a non-positive number. */
export function stableSigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/** σ'(x) = σ(x)·σ(−x) = e^(−|x|) / (1 + e^(−|x|))², exact in both tails. */
export function sigmoidSlope(x: number): number {
  const e = Math.exp(-Math.abs(x)), d = 1 + e;
  return e / (d * d);
}

/**
 * The logistic function, elementwise.
 *
 * Forward: `σ(x) = 1 / (1 + e^(−x))`, computed without overflow for any x. Backward:
 * `∂x = g·σ(x)·(1 − σ(x))`.
 *
 * NOTE: the slope is computed from x, not from the saved output: σ(1 − σ) rounds to 0 once σ
 * rounds to 1 (x > 37), where the true slope is still e^(−x).
 *
 * @example
 * sigmoid(tensor([0]));                 // [0.5]
 * x.pipe(matmul(W1), add(b1), sigmoid());
 */
export const sigmoid = defineOp({
  name: 'sigmoid',
  arity: 1,
  recyclable: true,
  // Plain loops rather than kernels.unary: a callback per element costs more than the exp here.
  forward: ([x]) => {
    const xd = x.data, out = allocate(x.dtype, x.size);
    for (let i = 0; i < out.length; i++) out[i] = stableSigmoid(xd[i]!);
    return new T(out, x.shape);
  },
  backward: (g, { inputs: [x] }, needs) => {
    if (!needs[0]) return [null];
    const xd = x.data, gd = g.data, out = allocate(x.dtype, x.size);
    for (let i = 0; i < out.length; i++) out[i] = gd[i]! * sigmoidSlope(xd[i]!);
    return [new T(out, x.shape)];
  },
});
