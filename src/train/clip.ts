/**
 * Gradient clipping, PyTorch's `torch.nn.utils.clip_grad_norm_` and `clip_grad_value_` as pure
 * functions on one step's gradients (arrays aligned with the parameters; null = no gradient, left
 * out of the norm and passed through), plus per-layer forms for the graph's `transformGrad`.
 */
import { type Tensor, kernels } from '../index-core.js';

/** PyTorch's guard against dividing by a zero norm: coef = maxNorm/(total + 1e-6). */
const NORM_EPS = 1e-6;

export interface ClipGradNormOptions {
  /** Throw when the total norm is NaN or ±∞ instead of scaling by it (PyTorch's `error_if_nonfinite`). */
  errorIfNonfinite?: boolean;
}

/** The p-norm of one tensor (p > 0, or Infinity for the largest magnitude), as torch.linalg.vector_norm. */
export function vectorNorm(t: Tensor, normType = 2): number {
  checkNormType(normType, 'vectorNorm');
  return normOf(t.data, normType);
}

function normOf(d: ArrayLike<number>, normType: number): number {
  if (normType === Infinity) {
    let m = 0;
    for (let i = 0; i < d.length; i++) {
      const a = Math.abs(d[i]!);
      if (a > m || Number.isNaN(a)) m = a;
      if (Number.isNaN(m)) break;
    }
    return m;
  }
  let acc = 0;
  if (normType === 2) {
    for (let i = 0; i < d.length; i++) acc += d[i]! * d[i]!;
    return Math.sqrt(acc);
  }
  if (normType === 1) {
    for (let i = 0; i < d.length; i++) acc += Math.abs(d[i]!);
    return acc;
  }
  for (let i = 0; i < d.length; i++) acc += Math.abs(d[i]!) ** normType;
  return acc ** (1 / normType);
}

/**
 * Scales all gradients by one factor so that their joint p-norm is at most `maxNorm`.
 *
 * The total norm is the norm of the per-tensor norms ("as if concatenated into one vector");
 * coef = min(1, maxNorm/(totalNorm + 1e-6)); every gradient is multiplied by coef. Returns new
 * tensors (the inputs are not changed) and the total norm before clipping. A NaN or infinite total
 * norm makes every gradient NaN (or 0), as in PyTorch, unless `errorIfNonfinite` asks for an error.
 *
 * @example
 * const { grads } = runSync(loss, { feed, wrt: params });
 * const { grads: clipped, totalNorm } = clipGradNorm(grads, 1.0);
 * opt.step(params, clipped);
 */
export function clipGradNorm(
  grads: readonly (Tensor | null)[],
  maxNorm: number,
  normType = 2,
  options: ClipGradNormOptions = {},
): { grads: (Tensor | null)[]; totalNorm: number } {
  if (typeof maxNorm !== 'number' || !(maxNorm >= 0)) throw new RangeError(`clipGradNorm(): maxNorm must be a number ≥ 0, got ${String(maxNorm)}`);
  checkNormType(normType, 'clipGradNorm');
  const present = grads.filter((g): g is Tensor => g !== null && g !== undefined);
  if (present.length === 0) return { grads: [...grads], totalNorm: 0 };
  const norms = present.map((g) => vectorNorm(g, normType));
  const totalNorm = normOf(norms, normType);
  if (options.errorIfNonfinite && !Number.isFinite(totalNorm)) {
    throw new RangeError(`clipGradNorm(): the total norm of order ${normType} of the gradients is ${totalNorm}, so it cannot be clipped; leave errorIfNonfinite off to scale by it anyway`);
  }
  // NOTE: Math.min(NaN, 1) is NaN, as torch.clamp(NaN, max=1): a NaN norm poisons every gradient.
  const coef = Math.min(maxNorm / (totalNorm + NORM_EPS), 1);
  return { grads: grads.map((g) => (g === null || g === undefined ? null : kernels.scale(g, coef))), totalNorm };
}

/**
 * Clamps every gradient element to [−clipValue, clipValue] (NaN stays NaN). Returns new tensors.
 *
 * @example
 * opt.step(params, clipGradValue(grads, 0.1));
 */
export function clipGradValue(grads: readonly (Tensor | null)[], clipValue: number): (Tensor | null)[] {
  checkClipValue(clipValue, 'clipGradValue');
  return grads.map((g) => (g === null || g === undefined ? null : clampTensor(g, clipValue)));
}

/**
 * A gradient transform that clamps each element to [−c, c], for the graph's `transformGrad`: it
 * clips the gradient flowing back into one layer.
 *
 * @example
 * const h = x.pipe(matmul(W1), transformGrad(clipValue(1)), add(b1));
 */
export function clipValue(c: number): (g: Tensor) => Tensor {
  checkClipValue(c, 'clipValue');
  return (g) => clampTensor(g, c);
}

/**
 * A gradient transform that rescales a gradient whose p-norm exceeds `maxNorm`
 * (coef = min(1, maxNorm/(‖g‖ + 1e-6)), as {@link clipGradNorm} for one tensor), for
 * `transformGrad`.
 *
 * @example
 * const h = x.pipe(matmul(W1), add(b1), transformGrad(clipNorm(5)), sigmoid());
 */
export function clipNorm(maxNorm: number, normType = 2): (g: Tensor) => Tensor {
  if (typeof maxNorm !== 'number' || !(maxNorm >= 0)) throw new RangeError(`clipNorm(): maxNorm must be a number ≥ 0, got ${String(maxNorm)}`);
  checkNormType(normType, 'clipNorm');
  return (g) => kernels.scale(g, Math.min(maxNorm / (vectorNorm(g, normType) + NORM_EPS), 1));
}


function clampTensor(g: Tensor, c: number): Tensor {
  return kernels.unary(g, (v) => (v < -c ? -c : v > c ? c : v));
}

function checkNormType(p: number, who: string): void {
  if (typeof p !== 'number' || !(p > 0)) throw new RangeError(`${who}(): normType must be a positive number or Infinity, got ${String(p)}`);
}

function checkClipValue(c: number, who: string): void {
  if (typeof c !== 'number' || !(c >= 0)) throw new RangeError(`${who}(): the clip value must be a number ≥ 0, got ${String(c)}`);
}
