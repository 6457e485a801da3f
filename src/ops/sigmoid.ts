import { type Tensor, type TypedArray, empty } from '../tensor/index.js';
import { type Grads, type OpPlan, defineOp } from './op.js';
import { gradsOf1, ownedTensor } from './grad-util.js';

/**
 * σ(x) = 1/(1 + e^(−x)). No branch is needed for stability: for very negative x, e^(−x) overflows to
 * ∞ and the quotient is 0, which is σ(x) rounded (it is below the smallest subnormal by then).
 */
export function stableSigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/** sigmoid's plan (see `OpSpec.plan`; a class for the reason given at DensePlan in dense.ts). */
class SigmoidPlan implements OpPlan {
  private readonly out: Tensor;
  private readonly dx: Tensor | null;
  private readonly grads: (Tensor | null)[];
  private x: Tensor;

  constructor(x0: Tensor, need: boolean) {
    this.out = ownedTensor(x0.shape, x0.dtype);
    this.dx = need ? ownedTensor(x0.shape, x0.dtype) : null;
    this.grads = [this.dx];
    this.x = x0;
  }

  forward(inputs: readonly Tensor[]): Tensor {
    sigmoidInto((this.x = inputs[0]!).data, this.out.data);
    return this.out;
  }

  backward(g: Tensor): Grads {
    if (this.dx !== null) sigmoidGradInto(this.x.data, this.out.data, g.data, this.dx.data);
    return this.grads;
  }
}

/** σ(x) elementwise into `out`. Plain loops rather than kernels.unary: a callback per element costs more than the exp here. */
function sigmoidInto(xd: TypedArray, out: TypedArray): void {
  for (let i = 0; i < out.length; i++) out[i] = stableSigmoid(xd[i]!);
}

/**
 * `g·σ'(x)`: σ(1 − σ) from the saved output (PyTorch's form) while 1 − σ keeps 10 digits (x < 13);
 * the exp form beyond, where 1 − σ cancels.
 */
function sigmoidGradInto(xd: TypedArray, sd: TypedArray, gd: TypedArray, out: TypedArray): void {
  for (let i = 0; i < out.length; i++) {
    const v = xd[i]!, s = sd[i]!;
    out[i] = gd[i]! * (v < 13 ? s * (1 - s) : sigmoidSlope(v));
  }
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
 * NOTE: σ(1 − σ) from the saved output loses digits as σ nears 1 and rounds to 0 beyond x ≈ 37,
 * where the true slope is still e^(−x): above x = 13 the slope is computed from x instead.
 *
 * @example
 * sigmoid(tensor([0]));                 // [0.5]
 * x.pipe(matmul(W1), add(b1), sigmoid());
 */
export const sigmoid = defineOp({
  name: 'sigmoid',
  arity: 1,
  recyclable: true,
  forward: ([x]) => {
    const result = empty(x.shape, x.dtype);
    sigmoidInto(x.data, result.data);
    return result;
  },
  backward: (g, { inputs: [x], output }, needs, into) => {
    if (!needs[0]) return gradsOf1(into, null);
    const result = empty(x.shape, x.dtype);
    sigmoidGradInto(x.data, output.data, g.data, result.data);
    return gradsOf1(into, result);
  },
  plan: ([x], _attrs, needs) => new SigmoidPlan(x, needs[0]!),
});
