import { type Tensor, type TypedArray, empty, enterArena, restoreArena } from '../tensor/index.js';
import { affineGrads, affineInto, affineValue, biasGradInto, fitsDense } from './affine.js';
import { ProductBound, denseGradsInto, ownedTensor } from './grad-util.js';
import { type Grads, type OpPlan, defineOp } from './op.js';
import { sigmoidSlope, stableSigmoid } from './sigmoid.js';
import { tanhSlope } from './tanh.js';

/** The activations a dense layer can fuse: those whose slope is decided from the output alone almost everywhere. */
export type DenseActivation = 'sigmoid' | 'tanh' | 'relu';

export interface DenseAttrs {
  activation: DenseActivation;
}

/*
 * Below these outputs the input is known to lie below the point where sigmoid's and tanh's own
 * backward switch from the output form of the slope to the input form (x = 13 and |x| = 4): both
 * functions are monotone, so σ(x) < σ(13) implies x < 13. At or beyond them the backward recomputes
 * the pre-activation to pick the same branch as the unfused op, bit for bit.
 */
const SIGMOID_13 = stableSigmoid(13);
const TANH_4 = Math.tanh(4);

function check(activation: unknown): DenseActivation {
  if (activation === 'sigmoid' || activation === 'tanh' || activation === 'relu') return activation;
  throw new Error(`activation must be 'sigmoid', 'tanh' or 'relu', got ${JSON.stringify(activation)}`);
}

/** The pre-activation again, as forward computed it (same kernel, same bits), in storage of its own. */
function preActivation(x: Tensor, w: Tensor, b: Tensor): Float64Array | Float32Array {
  // Outside any arena: this happens only on saturated ticks, and must not shift the arena's
  // buffer order for the allocations that follow.
  const previous = enterArena(null);
  try {
    return affineValue(x, w, b).data;
  } finally {
    restoreArena(previous);
  }
}

/** `out[i] = act(z[i])` (out may be z itself). */
function activate(activation: DenseActivation, z: TypedArray, out: TypedArray): void {
  if (activation === 'sigmoid') for (let i = 0; i < z.length; i++) out[i] = stableSigmoid(z[i]!);
  else if (activation === 'tanh') for (let i = 0; i < z.length; i++) out[i] = Math.tanh(z[i]!);
  else {
    for (let i = 0; i < z.length; i++) {
      const v = z[i]!;
      out[i] = v > 0 || v !== v ? v : 0;
    }
  }
}

/**
 * `dz = g·act'(z)` from the output y, with the same slope formulas as the activation ops; z is read
 * only for saturated units, from `z` when the caller kept it, else recomputed from x, W and b.
 */
function preActivationGrad(
  activation: DenseActivation, yd: TypedArray, gd: TypedArray, dz: TypedArray, z: TypedArray | null, x: Tensor, w: Tensor, b: Tensor,
): void {
  const n = yd.length;
  // The output form of the slope in one tight loop; saturated units, rare in most layers, get a
  // second pass of their own. (One loop for both made V8 box every slope as a heap number, since it
  // merged with the tail's function call: about 300 bytes per W5 sample.)
  let saturated = false;
  if (activation === 'sigmoid') {
    for (let i = 0; i < n; i++) {
      const s = yd[i]!;
      if (s < SIGMOID_13) dz[i] = gd[i]! * (s * (1 - s));
      else saturated = true;
    }
    if (saturated) sigmoidTail(yd, gd, dz, z ?? preActivation(x, w, b));
  } else if (activation === 'tanh') {
    for (let i = 0; i < n; i++) {
      const y = yd[i]!;
      if (y < TANH_4 && y > -TANH_4) dz[i] = gd[i]! * ((1 - y) * (1 + y));
      else saturated = true;
    }
    if (saturated) tanhTail(yd, gd, dz, z ?? preActivation(x, w, b));
  } else {
    // relu(z) > 0 exactly when z > 0 (NaN gives NaN, which is not > 0 either way).
    for (let i = 0; i < n; i++) dz[i] = yd[i]! > 0 ? gd[i]! : 0;
  }
}

/** ∂z for the units at or beyond σ(13) (and NaN), from z: the output form below 13, as sigmoid's backward. */
function sigmoidTail(yd: TypedArray, gd: TypedArray, dz: TypedArray, zd: TypedArray): void {
  for (let i = 0; i < yd.length; i++) {
    const s = yd[i]!;
    if (s < SIGMOID_13) continue;
    const v = zd[i]!;
    dz[i] = gd[i]! * (v < 13 ? s * (1 - s) : sigmoidSlope(v));
  }
}

/** ∂z for the units at or beyond |tanh(4)| (and NaN), from z: the output form inside ±4, as tanh's backward. */
function tanhTail(yd: TypedArray, gd: TypedArray, dz: TypedArray, zd: TypedArray): void {
  for (let i = 0; i < yd.length; i++) {
    const y = yd[i]!;
    if (y < TANH_4 && y > -TANH_4) continue;
    const v = zd[i]!;
    dz[i] = gd[i]! * (v < 4 && v > -4 ? (1 - y) * (1 + y) : tanhSlope(v));
  }
}

/**
 * dense's plan (see `OpSpec.plan`): for the dense-layer shapes, storage of its own for z, the
 * output, ∂z and the gradients, computed by the same functions as forward and backward. It keeps z,
 * so saturated units need no recomputation.
 *
 * NOTE: a class, not an object of closures: a compiled tick's code is shared by every run of the
 * same structure, and a call to one prototype method has the same target in every run, where each
 * run's closures would be new functions at the same call site. (No difference was measurable on
 * W1 either way; the class is the form V8 is known to keep monomorphic.)
 */
class DensePlan implements OpPlan {
  private readonly z: TypedArray;
  private readonly out: Tensor;
  private readonly dz: Tensor;
  private readonly dx: Tensor | null;
  private readonly dw: Tensor | null;
  private readonly db: Tensor | null;
  /** The gradients backward returns: always the same storage, so the array is filled once. */
  private readonly grads: readonly (Tensor | null)[];
  private readonly any: boolean;
  private readonly m: number;
  private x: Tensor;
  private w: Tensor;
  private b: Tensor;
  /** ∂W = xᵀ·∂z and ∂b = Σ∂z are finite when x and ∂z are bounded (see vouchesFinite). */
  private readonly bound = new ProductBound();

  constructor(x0: Tensor, w0: Tensor, b0: Tensor, private readonly activation: DenseActivation, needs: readonly boolean[]) {
    const dtype = w0.dtype, m = x0.rank === 1 ? 1 : x0.shape[0]!;
    const shape = x0.rank === 1 ? b0.shape : [m, w0.shape[1]!];
    this.m = m;
    this.z = ownedTensor(shape, dtype).data;
    this.out = ownedTensor(shape, dtype);
    this.dz = ownedTensor(shape, dtype);
    this.dx = needs[0] ? ownedTensor(x0.shape, dtype) : null;
    this.dw = needs[1] ? ownedTensor(w0.shape, dtype) : null;
    this.db = needs[2] && x0.rank !== 1 ? ownedTensor(b0.shape, dtype) : null;
    this.any = needs[0]! || needs[1]! || needs[2]!;
    // ∂b is ∂z itself for a single row, as in affine's backward.
    this.grads = [this.dx, this.dw, needs[2] ? (this.db ?? this.dz) : null];
    this.x = x0;
    this.w = w0;
    this.b = b0;
  }

  forward(inputs: readonly Tensor[]): Tensor {
    const x = (this.x = inputs[0]!), w = (this.w = inputs[1]!), b = (this.b = inputs[2]!);
    this.bound.clear();
    affineInto(x, w, b, this.z, false);
    activate(this.activation, this.z, this.out.data);
    return this.out;
  }

  backward(g: Tensor): Grads {
    const grads = this.grads;
    if (!this.any) return grads;
    const { x, w, b, dz, dx, dw, db } = this;
    preActivationGrad(this.activation, this.out.data, g.data, dz.data, this.z, x, w, b);
    denseGradsInto(dz, x, w, dx === null ? null : dx.data, dw === null ? null : dw.data, false);
    if (db !== null) biasGradInto(dz, this.m, db.data, false);
    this.bound.set(x.data, dz.data, this.m);
    return grads;
  }

  vouchesFinite(grad: Tensor): boolean {
    return (grad === this.dw || grad === this.grads[2]) && this.bound.holds();
  }
}

/**
 * A dense layer: an activation of an affine map, `act(x·W + b)`, with `activation` one of
 * `'sigmoid'`, `'tanh'` or `'relu'`. The graph fuses `affine` (or `matmul` → `add`) followed by one
 * of these activations into it on its own: one op call instead of two (or three) per layer in each
 * direction. It equals `sigmoid(affine(x, W, b))` (and so on) bit for bit, for any shapes.
 *
 * Forward: `z = x·W + b`, then the activation in place. Backward: `∂z = g·act'(z)` with the same
 * slope formulas as the activation ops (from the saved output, or from z where the output form
 * would lose digits), then affine's backward: `∂x = ∂z·Wᵀ`, `∂W = xᵀ·∂z`, `∂b = ∂z` summed over rows.
 *
 * NOTE: z itself is not kept (the op stays recyclable and holds no state). The output decides the
 * slope except for saturated units (σ ≥ σ(13), |tanh| ≥ tanh(4)); only when such a unit exists is z
 * recomputed, with the forward's own kernel so the branch taken matches the unfused ops exactly.
 *
 * @example
 * dense(tensor([[1, 2]]), tensor([[1], [1]]), tensor([0.5]), { activation: 'relu' });   // [[3.5]]
 * x.pipe(dense(W1, b1, { activation: 'tanh' }));
 */
export const dense = defineOp<DenseAttrs, 3>({
  name: 'dense',
  arity: 3,
  recyclable: true,
  forward: ([x, w, b], attrs) => {
    const activation = check(attrs.activation);
    const z = affineValue(x, w, b);
    // In place: z is this call's own storage, and each element is read once before it is written.
    activate(activation, z.data, z.data);
    return z;
  },
  backward: (g, { inputs: [x, w, b], output, attrs }, needs, into) => {
    if (!needs[0] && !needs[1] && !needs[2]) return [null, null, null];
    const activation = check(attrs.activation);
    const dz = empty(output.shape, output.dtype);
    preActivationGrad(activation, output.data, g.data, dz.data, null, x, w, b);
    return affineGrads(dz, x, w, b, needs, into);
  },
  plan: ([x, w, b], attrs, needs) => (fitsDense(x, w, b) ? new DensePlan(x, w, b, check(attrs.activation), needs) : null),
});
