import { type Tensor, empty, kernels } from '../tensor/index.js';
import { type Grads, defineOp } from './op.js';
import { denseGrads, unbroadcast, wasmForced } from './grad-util.js';
import { matmul } from './matmul.js';

/** Does this call fit the dense-layer fast path: x [k] or [m, k], W [k, n], b [n], one dtype? */
function dense(x: Tensor, w: Tensor, b: Tensor): boolean {
  return (
    w.rank === 2 && (x.rank === 1 || x.rank === 2) && x.shape[x.rank - 1] === w.shape[0] &&
    b.rank === 1 && b.shape[0] === w.shape[1] && x.dtype === w.dtype && b.dtype === w.dtype
  );
}

/** No attributes: one shared object rather than a new `{}` per call. */
const NO_ATTRS = Object.freeze({});

/** `x·W + b` (affine's forward, also the first half of dense's). */
export function affineValue(x: Tensor, w: Tensor, b: Tensor): Tensor {
  if (!dense(x, w, b)) return kernels.add(kernels.matmul(x, w), b);
  const m = x.rank === 1 ? 1 : x.shape[0]!, k = w.shape[0]!, n = w.shape[1]!;
  // A vector's output has the bias's shape [n]: share that array rather than build one per call.
  const result = empty(x.rank === 1 ? b.shape : [m, n], w.dtype), out = result.data;
  const bd = b.data;
  if (m === 1 && w.dtype === 'float64' && !wasmForced()) {
    // One row (online learning's case): a dot product per output, the bias added to it, without the
    // gemm kernels' set-up. The same sums, term for term (0 + x₀W₀ⱼ + x₁W₁ⱼ + … then + bⱼ), so
    // the same bits. (float32 keeps the kernels: they round each partial sum to float32.)
    const xd = x.data, wd = w.data;
    for (let j = 0; j < n; j++) {
      let acc = 0;
      for (let p = 0; p < k; p++) acc += xd[p]! * wd[p * n + j]!;
      out[j] = acc + bd[j]!;
    }
    return result;
  }
  kernels.gemm(x.data, 0, w.data, 0, out, 0, m, k, n, true);
  for (let i = 0; i < out.length; i += n) for (let j = 0; j < n; j++) out[i + j] = out[i + j]! + bd[j]!;
  return result;
}

/**
 * The gradients of `x·W + b` for an upstream `g` of its output's shape (affine's backward, and
 * dense's second half), in `into` when given (see `OpSpec.backward`).
 */
export function affineGrads(g: Tensor, x: Tensor, w: Tensor, b: Tensor, needs: readonly boolean[], into?: (Tensor | null)[]): Grads {
  const out: (Tensor | null)[] = into ?? [null, null, null];
  if (!dense(x, w, b) || g.dtype !== w.dtype) {
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
      // Rows summed in order, as sum over axis 0 does, so the bits match add's backward.
      const n = w.shape[1]!, m = x.shape[0]!;
      db = empty(b.shape, b.dtype);
      const data = db.data, gd = g.data;
      for (let i = 0; i < m * n; i += n) for (let j = 0; j < n; j++) data[j] = data[j]! + gd[i + j]!;
    }
  }
  out[2] = db;
  return out;
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
});
