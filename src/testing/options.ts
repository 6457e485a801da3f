/**
 * Options of `gradcheck`, their defaults, and the measurements behind the defaults
 * (`npx tsx bench/fd-error.ts`; numbers below are from that script).
 */
import type { DType } from '../tensor/index.js';

/** How the numerical derivative is estimated. */
export type FdMethod = 'central' | 'richardson';
/** Whole Jacobian, random projections vᵀJu, or chosen by size. */
export type CheckMode = 'auto' | 'full' | 'projection';
/** What to do where a point lies within one step of a kink. */
export type KinkPolicy = 'detect' | 'ignore' | 'reject';

/**
 * Options of {@link gradcheck}. Every field is optional.
 *
 * **Numerics.** Derivatives are estimated in float64 whatever the storage: the checker perturbs a
 * float64 copy of the input, builds the input in its own dtype from it, and divides by the
 * displacement that was actually representable. The step follows SciPy's rule with the epsilon of
 * the coarsest dtype among the checked inputs and the output: central `h = ∛ε·max(1, |x|)`
 * (6.1e-6 for float64, 4.9e-3 for float32); richardson (5-point) uses `x ± k, x ± 2k` with
 * `k = ε^(1/5)/4·max(1, |x|)` (1.9e-4, 1.0e-2). A value passes when
 * `|a − n| ≤ atol + rtol·|n| + noise·u·(|f(x+h)| + |f(x−h)|)/2h`, the last term being the
 * round-off floor of the outputs (u = ε/2 of the output dtype). A value that fails is re-estimated
 * (Richardson at half the step, then steps /4, /16, /64, with the round-off allowance capped at the
 * tolerance) before it counts; then kinks are looked for (see `kinks`).
 *
 * **Defaults, measured** with `npx tsx bench/fd-error.ts` (worst |FD − exact| / max(1e-3, |exact|)
 * over 2000 points each of exp, sin, tanh, sigmoid on [−9, 9], x³ on [−1000, 1000], log on
 * [0.01, 9] and a softmax cross-entropy) and `npx tsx bench/gradcheck-calibration.ts 1000 12345` (35
 * built-in ops × 1000 generated cases; "err/tol" is the worst base-step error over tolerance of
 * ops that never needed a refined step):
 *
 * | method, storage | FD error, worst (log near 0.01) | PyTorch h = 1e-6 | rtol / atol | built-in ops: failures, err/tol |
 * |---|---|---|---|---|
 * | central, float64 | 8.4e-9 (8.1e-8; refined 9.5e-11) | 2.7e-7 | 1e-6 / 1e-8 | 0 / 35000, 2.3e-1 |
 * | central, float32 | 1.4e-3 (6.0e-2) | 31, NaN | 1e-3 / 1e-4 | 0 / 35000, 3.3e-1 |
 * | richardson, float64 | 1.3e-10 (4.2e-8) | — | 1e-8 / 1e-10 | 0 / 35000, 1.2e-2 |
 * | richardson, float32 | 8.3e-4 (NaN: reach) | — | 1e-3 / 1e-4 | 16 / 35000 (bce within 2k of 0), 4.8e-2 |
 *
 * PyTorch's gradcheck uses eps 1e-6, atol 1e-5, rtol 1e-3: the float64 central default is 1000×
 * stricter and still never rejected a correct built-in op. Projection mode: 0 / 35000 in both dtypes.
 */
export interface GradcheckOptions {
  /** Attributes passed to the op (only when checking an op record). */
  attrs?: object;
  /** `'central'` (default) or `'richardson'` (5-point stencil: 60–1000× smaller error on smooth functions, but reaches 2k from x). */
  method?: FdMethod;
  /** Relative tolerance; default per method and dtype (see the table above). */
  rtol?: number;
  /** Absolute tolerance; default per method and dtype. */
  atol?: number;
  /**
   * `'full'`: the whole Jacobian, column by column numerically (2 forwards per element per level)
   * and row by row analytically (one backward per output element). `'projection'`: per trial, one
   * scalar vᵀJu with seeded random u and v (2 forwards and 1 backward). `'auto'` (default): full when
   * the checked inputs and the output each hold at most 256 elements.
   */
  mode?: CheckMode;
  /** Projections per input in projection mode. Default 4. */
  trials?: number;
  /** Seeds the upstream gradients and the projection directions. Default 0x5eed. */
  seed?: number;
  /** Indices of the inputs to check. Default: every differentiable input. */
  wrt?: readonly number[];
  /**
   * `'detect'` (default): where the left and right one-sided differences disagree (a kink within one
   * step), report the element as near a non-differentiable point and accept the analytic value if
   * it lies between them (Caffe's subgradient check). `'ignore'`: compare central differences
   * regardless (PyTorch). `'reject'`: like detect, but any point near a kink fails the check (for
   * generators that promise to stay away from kinks).
   */
  kinks?: KinkPolicy;
  /** Multiplies the default relative step. Default 1. */
  stepScale?: number;
  /** An absolute step instead of the relative rule (PyTorch's `eps`; richardson's k); mainly for comparisons. */
  step?: number;
  /**
   * Round-off allowance, in units of u·|f| per evaluation. Default 64: a single rounding is at most
   * 1 unit (measured 0.91 for float32 storage); the rest covers forwards that accumulate many terms
   * or cancel. It only matters where |f'| ≪ |f|/h: in float64 it is 1.2e-9·|f|/max(1, |x|).
   */
  noise?: number;
  /**
   * Re-estimate a mismatching value at refined and smaller steps before it counts (default true).
   * `false` gives plain finite differences, as PyTorch's gradcheck.
   */
  refine?: boolean;
  /** Run the invariant checks (reentrancy, zero gradient, shapes, dtypes, mutation). Default true. */
  invariants?: boolean;
  /** Detailed mismatch records kept in the report (all are counted). Default 10. */
  maxFailures?: number;
}

/** Default tolerances by method and storage precision. */
export const DEFAULT_TOLERANCES: Readonly<Record<FdMethod, Readonly<Record<DType, { rtol: number; atol: number }>>>> = {
  central: { float64: { rtol: 1e-6, atol: 1e-8 }, float32: { rtol: 1e-3, atol: 1e-4 } },
  richardson: { float64: { rtol: 1e-8, atol: 1e-10 }, float32: { rtol: 1e-3, atol: 1e-4 } },
};

/** Machine epsilon of a dtype. */
export function epsilonOf(dtype: DType): number {
  return dtype === 'float64' ? 2 ** -52 : 2 ** -23;
}

/**
 * The relative step of a method for a dtype, before the max(1, |x|) scaling: for central the
 * distance of x ± h, for richardson the outer distance 2k of x ± k, x ± 2k.
 */
export function relativeStep(method: FdMethod, dtype: DType): number {
  const eps = epsilonOf(dtype);
  return method === 'central' ? Math.cbrt(eps) : 2 * (eps ** 0.2 / 4);
}

/** Options with every default filled in. */
export interface ResolvedOptions {
  method: FdMethod;
  rtol: number;
  atol: number;
  mode: CheckMode;
  trials: number;
  seed: number;
  kinks: KinkPolicy;
  stepScale: number;
  step: number | undefined;
  noise: number;
  refine: boolean;
  invariants: boolean;
  maxFailures: number;
}

export function resolveOptions(options: GradcheckOptions, precision: DType): ResolvedOptions {
  const method = options.method ?? 'central';
  if (method !== 'central' && method !== 'richardson') throw new RangeError(`gradcheck: method must be 'central' or 'richardson', got ${String(method)}`);
  const mode = options.mode ?? 'auto';
  if (mode !== 'auto' && mode !== 'full' && mode !== 'projection') throw new RangeError(`gradcheck: mode must be 'auto', 'full' or 'projection', got ${String(mode)}`);
  const kinks = options.kinks ?? 'detect';
  if (kinks !== 'detect' && kinks !== 'ignore' && kinks !== 'reject') throw new RangeError(`gradcheck: kinks must be 'detect', 'ignore' or 'reject', got ${String(kinks)}`);
  const tol = DEFAULT_TOLERANCES[method][precision];
  const positive = (name: string, v: number | undefined, fallback: number, allowZero = true): number => {
    if (v === undefined) return fallback;
    if (typeof v !== 'number' || !(allowZero ? v >= 0 : v > 0) || !Number.isFinite(v)) {
      throw new RangeError(`gradcheck: ${name} must be a finite ${allowZero ? 'non-negative' : 'positive'} number, got ${String(v)}`);
    }
    return v;
  };
  const trials = options.trials ?? 4;
  if (!Number.isInteger(trials) || trials < 1) throw new RangeError(`gradcheck: trials must be a positive integer, got ${trials}`);
  const seed = options.seed ?? 0x5eed;
  if (!Number.isInteger(seed)) throw new RangeError(`gradcheck: seed must be an integer, got ${seed}`);
  return {
    method,
    rtol: positive('rtol', options.rtol, tol.rtol),
    atol: positive('atol', options.atol, tol.atol),
    mode,
    trials,
    seed,
    kinks,
    stepScale: positive('stepScale', options.stepScale, 1, false),
    step: options.step === undefined ? undefined : positive('step', options.step, 0, false),
    noise: positive('noise', options.noise, 64),
    refine: options.refine ?? true,
    invariants: options.invariants ?? true,
    maxFailures: options.maxFailures ?? 10,
  };
}
