import { kernels } from '../tensor/index.js';
import { defineOp } from './op.js';
import { pointwiseGrad } from './grad-util.js';

/** σ(x) without overflow: exp is only ever taken of a non-positive number. */
export function stableSigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/**
 * The logistic function, elementwise.
 *
 * Forward: `σ(x) = 1 / (1 + e^(−x))`, computed without overflow for any x. Backward: `∂x = g·σ(x)·(1 − σ(x))`,
 * from the saved output.
 *
 * @example
 * sigmoid(tensor([0]));                 // [0.5]
 * x.pipe(matmul(W1), add(b1), sigmoid());
 */
export const sigmoid = defineOp({
  name: 'sigmoid',
  arity: 1,
  forward: ([x]) => kernels.unary(x, stableSigmoid),
  backward: (g, { inputs: [x], output }, needs) => [needs[0] ? pointwiseGrad(g, x, output, (gv, s) => gv * s * (1 - s)) : null],
});
