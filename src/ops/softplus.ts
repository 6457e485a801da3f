import { kernels } from '../tensor/index.js';
import { defineOp } from './op.js';
import { pointwiseGrad } from './grad-util.js';
import { stableSigmoid } from './sigmoid.js';

export interface SoftplusAttrs {
  /** Sharpness β (non-zero). Default 1. */
  beta?: number;
  /** Above β·x > threshold the op is the identity. Default 20. */
  threshold?: number;
}

function paramsOf(attrs: SoftplusAttrs): { beta: number; threshold: number } {
  const beta = attrs.beta ?? 1, threshold = attrs.threshold ?? 20;
  if (typeof beta !== 'number' || !Number.isFinite(beta) || beta === 0) throw new RangeError(`softplus: beta must be finite and non-zero, got ${String(beta)}`);
  if (typeof threshold !== 'number' || Number.isNaN(threshold)) throw new TypeError(`softplus: threshold must be a number, got ${String(threshold)}`);
  return { beta, threshold };
}

/** log(1 + eᶻ) for any z: max(z, 0) + log1p(e^(−|z|)) never overflows. */
function log1pExp(z: number): number {
  return Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z)));
}

/**
 * A smooth rectifier, as PyTorch's `softplus(beta, threshold)`.
 *
 * Forward: `out = (1/β)·log(1 + e^(βx))`, or `x` where `βx > threshold`. Backward: `∂x = g·σ(βx)`,
 * or `g` above the threshold.
 *
 * NOTE: computed as (1/β)·(max(βx, 0) + log1p(e^(−|βx|))), so it stays finite for any threshold
 * (even Infinity); the threshold only reproduces PyTorch's switch to the identity.
 *
 * @example
 * softplus(tensor([0]));                  // [0.6931471805599453]
 * x.pipe(softplus({ beta: 2 }));
 */
export const softplus = defineOp<SoftplusAttrs, 1>({
  name: 'softplus',
  arity: 1,
  recyclable: true,
  forward: ([x], attrs) => {
    const { beta, threshold } = paramsOf(attrs);
    return kernels.unary(x, (v) => (beta * v > threshold ? v : log1pExp(beta * v) / beta));
  },
  backward: (g, { inputs: [x], attrs }, needs) => {
    if (!needs[0]) return [null];
    const { beta, threshold } = paramsOf(attrs);
    return [pointwiseGrad(g, x, x, (gv, xv) => (beta * xv > threshold ? gv : gv * stableSigmoid(beta * xv)))];
  },
});
