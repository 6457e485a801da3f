import { type Tensor, type TypedArray, empty, kernels } from '../tensor/index.js';
import { type Grads, type OpPlan, defineOp } from './op.js';
import { ProductBound, denseGrads, denseGradsInto, ownedTensor, unbroadcast, wasmForced } from './grad-util.js';
import { matmul } from './matmul.js';

/** Does this call fit the dense-layer fast path: x [k] or [m, k], W [k, n], b [n], one dtype? */
export function fitsDense(x: Tensor, w: Tensor, b: Tensor): boolean {
  return (
    w.rank === 2 && (x.rank === 1 || x.rank === 2) && x.shape[x.rank - 1] === w.shape[0] &&
    b.rank === 1 && b.shape[0] === w.shape[1] && x.dtype === w.dtype && b.dtype === w.dtype
  );
}

/** No attributes: one shared object rather than a new `{}` per call. */
const NO_ATTRS = Object.freeze({});

/** `x·W + b` (affine's forward, also the first half of dense's). */
export function affineValue(x: Tensor, w: Tensor, b: Tensor): Tensor {
  if (!fitsDense(x, w, b)) return kernels.add(kernels.matmul(x, w), b);
  // A vector's output has the bias's shape [n]: share that array rather than build one per call.
  const result = empty(x.rank === 1 ? b.shape : [x.shape[0]!, w.shape[1]!], w.dtype);
  affineInto(x, w, b, result.data, true);
  return result;
}

/**
 * `x·W + b` into `out` (m·n elements) for inputs that fit the dense-layer case ({@link fitsDense}):
 * the one code path behind the forward of affine and dense and of their fixed-shape plans, so all
 * give the same bits. `zeroed` says `out` is already zero-filled (the kernels add into it).
 */
export function affineInto(x: Tensor, w: Tensor, b: Tensor, out: TypedArray, zeroed: boolean): void {
  const m = x.rank === 1 ? 1 : x.shape[0]!, k = w.shape[0]!, n = w.shape[1]!;
  const bd = b.data;
  if (m === 1 && w.dtype === 'float64' && !wasmForced()) {
    // One row (online learning's case): a dot product per output, the bias added to it, without the
    // gemm kernels' set-up. The same sums, term for term (0 + x₀W₀ⱼ + x₁W₁ⱼ + … then + bⱼ), so
    // the same bits. (float32 keeps the kernels: they round each partial sum to float32.)
    // Four outputs at a time: four independent sums, so the additions of one do not wait on the
    // others' (one sum at a time is bound by the add latency: 160 → 83 ns at 9×16, 61 → 30 at
    // 2×16). Each sum still runs in the same order, so the bits do not change.
    const xd = x.data, wd = w.data;
    let j = 0;
    for (; j + 4 <= n; j += 4) {
      let a0 = 0, a1 = 0, a2 = 0, a3 = 0;
      for (let p = 0, r = j; p < k; p++, r += n) {
        const xp = xd[p]!;
        a0 += xp * wd[r]!;
        a1 += xp * wd[r + 1]!;
        a2 += xp * wd[r + 2]!;
        a3 += xp * wd[r + 3]!;
      }
      out[j] = a0 + bd[j]!;
      out[j + 1] = a1 + bd[j + 1]!;
      out[j + 2] = a2 + bd[j + 2]!;
      out[j + 3] = a3 + bd[j + 3]!;
    }
    for (; j < n; j++) {
      let acc = 0;
      for (let p = 0; p < k; p++) acc += xd[p]! * wd[p * n + j]!;
      out[j] = acc + bd[j]!;
    }
    return;
  }
  if (!zeroed) out.fill(0);
  kernels.gemm(x.data, 0, w.data, 0, out, 0, m, k, n, true);
  for (let i = 0; i < out.length; i += n) for (let j = 0; j < n; j++) out[i + j] = out[i + j]! + bd[j]!;
}

/**
 * The gradients of `x·W + b` for an upstream `g` of its output's shape (affine's backward, and
 * dense's second half), in `into` when given (see `OpSpec.backward`).
 */
export function affineGrads(g: Tensor, x: Tensor, w: Tensor, b: Tensor, needs: readonly boolean[], into?: (Tensor | null)[]): Grads {
  const out: (Tensor | null)[] = into ?? [null, null, null];
  if (!fitsDense(x, w, b) || g.dtype !== w.dtype) {
    // The composition's own backward: add passes g to the product, matmul splits it.
    const z = kernels.matmul(x, w);
    const [dx, dw] = needs[0] || needs[1] ? matmul.backward(unbroadcast(g, z), { inputs: [x, w], output: z, attrs: NO_ATTRS }, [needs[0]!, needs[1]!]) : [null, null];
    out[0] = dx ?? null;
    out[1] = dw ?? null;
    out[2] = needs[2] ? unbroadcast(g, b) : null;
    return out;
  }
  denseGrads(g, x, w, needs[0]!, needs[1]!, out);
  let db: Tensor | null = null;
  if (needs[2]) {
    if (x.rank === 1) db = g;
    else {
      db = empty(b.shape, b.dtype);
      biasGradInto(g, x.shape[0]!, db.data, true);
    }
  }
  out[2] = db;
  return out;
}

/** The bias's gradient for a batch of m rows: g's rows summed in order, as sum over axis 0 does, so the bits match add's backward. */
export function biasGradInto(g: Tensor, m: number, db: TypedArray, zeroed: boolean): void {
  const n = db.length, gd = g.data;
  if (!zeroed) db.fill(0);
  for (let i = 0; i < m * n; i += n) for (let j = 0; j < n; j++) db[j] = db[j]! + gd[i + j]!;
}

/**
 * affine's plan (see `OpSpec.plan`): for the dense-layer shapes, output and gradients in storage of
 * its own, computed by the same functions as forward and backward. (A class for the reason given
 * at DensePlan in dense.ts.)
 */
class AffinePlan implements OpPlan {
  private readonly out: Tensor;
  private readonly dx: Tensor | null;
  private readonly dw: Tensor | null;
  private readonly db: Tensor | null;
  /** The gradients backward returns; only a single row's ∂b (g itself) changes from call to call. */
  private readonly grads: (Tensor | null)[];
  /** Whether ∂b is g itself (asked for, one row). */
  private readonly dbIsG: boolean;
  private readonly m: number;
  private x: Tensor;
  private w: Tensor;
  private b: Tensor;
  /** ∂W = xᵀ·g and ∂b = Σg are finite when x and g are bounded (see vouchesFinite). */
  private readonly bound = new ProductBound();

  constructor(x0: Tensor, w0: Tensor, b0: Tensor, private readonly needs: readonly boolean[]) {
    const dtype = w0.dtype, m = x0.rank === 1 ? 1 : x0.shape[0]!;
    this.m = m;
    this.out = ownedTensor(x0.rank === 1 ? b0.shape : [m, w0.shape[1]!], dtype);
    this.dx = needs[0] ? ownedTensor(x0.shape, dtype) : null;
    this.dw = needs[1] ? ownedTensor(w0.shape, dtype) : null;
    this.db = needs[2] && x0.rank !== 1 ? ownedTensor(b0.shape, dtype) : null;
    this.dbIsG = needs[2]! && x0.rank === 1;
    this.grads = [this.dx, this.dw, this.db];
    this.x = x0;
    this.w = w0;
    this.b = b0;
  }

  forward(inputs: readonly Tensor[]): Tensor {
    this.bound.clear();
    affineInto((this.x = inputs[0]!), (this.w = inputs[1]!), (this.b = inputs[2]!), this.out.data, false);
    return this.out;
  }

  backward(g: Tensor): Grads {
    const { x, w, b, dx, dw, db, grads } = this;
    // An upstream gradient of another dtype takes the general path, as affineGrads does.
    if (g.dtype !== w.dtype) {
      this.bound.clear();
      return affineGrads(g, x, w, b, this.needs);
    }
    denseGradsInto(g, x, w, dx === null ? null : dx.data, dw === null ? null : dw.data, false);
    if (db !== null) biasGradInto(g, this.m, db.data, false);
    if (this.dbIsG) grads[2] = g;
    this.bound.set(x.data, g.data, this.m);
    return grads;
  }

  vouchesFinite(grad: Tensor): boolean {
    return (grad === this.dw || grad === this.grads[2]) && this.bound.holds();
  }
}

/**
 * An affine map, `x·W + b`: a dense layer's matmul and bias in one op (torch's `addmm` with rxgrad's
 * [in, out] weight layout). The graph fuses `matmul` followed by `add` into it on its own; it can
 * also be called directly. It equals `add(matmul(x, W), b)` bit for bit, for any shapes.
 *
 * Forward: `out = x·W + b` (the product first, then the bias, as the two ops would).
 * Backward: `∂x = g·Wᵀ`, `∂W = xᵀ·g`, `∂b = g` summed over the rows it was broadcast along.
 *
 * @example
 * affine(tensor([[1, 2]]), tensor([[1], [1]]), tensor([0.5]));   // [[3.5]]
 * x.pipe(affine(W1, b1), sigmoid());
 */
export const affine = defineOp({
  name: 'affine',
  arity: 3,
  recyclable: true,
  forward: ([x, w, b]) => affineValue(x, w, b),
  backward: (g, { inputs: [x, w, b] }, needs, into) => affineGrads(g, x, w, b, needs, into),
  plan: ([x, w, b], _attrs, needs) => (fitsDense(x, w, b) ? new AffinePlan(x, w, b, needs) : null),
});
