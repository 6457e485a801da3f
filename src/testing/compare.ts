/**
 * Compares analytic derivatives with a line's finite differences, entry by entry: accept within
 * tolerance; otherwise refine the estimate (Richardson at half the step); otherwise look for a kink
 * (one-sided differences that disagree) and accept the analytic value if it lies between them;
 * otherwise report a mismatch.
 */
import type { Estimate, Line } from './line.js';
import type { ResolvedOptions } from './options.js';
import type { GradientMismatch, KinkFinding } from './report.js';

/** Where the compared values sit, copied into every record. */
export interface Locator {
  input: number;
  /** Element multi-index (element lines). */
  index?: number[];
  /** Output multi-index of compared entry k (full mode). */
  output?: (k: number) => number[];
  trial?: number;
}

/** Running totals shared by all comparisons of one gradcheck call. */
export class Tally {
  comparisons = 0;
  maxAbsError = 0;
  maxRelError = 0;
  maxErrorRatio = 0;
  refined = 0;
  failureCount = 0;
  readonly failures: GradientMismatch[] = [];
  readonly kinks: KinkFinding[] = [];
  constructor(private readonly maxFailures: number) {}

  /** Counts a compared value; `refined` when it passed only at a refined or smaller step. */
  record(a: number, n: number, tol: number, refined = false, failed = false): void {
    this.comparisons++;
    const err = Math.abs(a - n);
    if (err > this.maxAbsError || Number.isNaN(err)) this.maxAbsError = Number.isNaN(err) ? NaN : Math.max(this.maxAbsError, err);
    if (n !== 0) this.maxRelError = Math.max(this.maxRelError, err / Math.abs(n));
    if (refined) {
      if (!failed) this.refined++;
      return;
    }
    const ratio = tol > 0 ? err / tol : err === 0 ? 0 : Infinity;
    this.maxErrorRatio = Number.isNaN(ratio) ? Infinity : Math.max(this.maxErrorRatio, ratio);
  }

  fail(m: GradientMismatch): void {
    this.failureCount++;
    if (this.failures.length < this.maxFailures) this.failures.push(m);
  }

  /** A scratch tally with the same limits, to be merged or dropped. */
  scratch(): Tally {
    return new Tally(this.maxFailures);
  }

  /** Adds another tally's counts and records. */
  merge(other: Tally): void {
    this.comparisons += other.comparisons;
    this.maxAbsError = Number.isNaN(other.maxAbsError) ? NaN : Math.max(this.maxAbsError, other.maxAbsError);
    this.maxRelError = Math.max(this.maxRelError, other.maxRelError);
    this.maxErrorRatio = Math.max(this.maxErrorRatio, other.maxErrorRatio);
    this.refined += other.refined;
    this.kinks.push(...other.kinks);
    for (const f of other.failures) this.fail(f);
    this.failureCount += other.failureCount - other.failures.length;
  }
}

export interface CompareSpec {
  line: Line;
  /**
   * Projection weights v: when given, the output differences are projected (vᵀ(f₊ − f₋), so outputs
   * that do not move contribute exactly 0) and one scalar is compared; the round-off bounds of the
   * outputs combine as a root sum of squares (independent roundings).
   */
  project?: Float64Array;
  /** Analytic values, one per compared output (one in all when projecting). */
  analytic: ArrayLike<number>;
  /** atol + rtol·|n| for element entries; a scaled form for projections. */
  tolerance: (k: number, numeric: number) => number;
  /** Extra noise allowance per entry (projection: rounding of the perturbed input). */
  extraNoise?: number;
  where: Locator;
  kind?: 'mismatch' | 'projection';
}

/**
 * Steps tried, each refined by Richardson extrapolation, before a disagreement counts: s, s/4, s/16,
 * s/64. A smaller step rescues points where the function varies on a scale below the step (log or
 * x^−½ near 0.01 in float32; a point 1e-7 from a kink), or where x ± s leaves the domain, while the
 * round-off allowance grows with 1/step so noise cannot pass for a derivative.
 */
export const REFINE_LEVELS = 4;

/** Compares one line; returns whether every entry passed (kinks accepted count as passed). */
export function compareLine(spec: CompareSpec, opts: ResolvedOptions, tally: Tally): boolean {
  const { line, analytic, tolerance, where } = spec;
  const c = opts.noise, extra = spec.extraNoise ?? 0;
  const tolOf = (k: number, n: number, noise: number): number => tolerance(k, n) + c * noise + extra;
  const loc = (k: number): Pick<GradientMismatch, 'input' | 'index' | 'output' | 'trial'> => ({
    input: where.input,
    ...(where.index ? { index: where.index } : {}),
    ...(where.output ? { output: where.output(k) } : {}),
    ...(where.trial !== undefined ? { trial: where.trial } : {}),
  });

  const view = (e: Estimate | null): Estimate | null => (e && spec.project ? projectEstimate(e, spec.project) : e);
  const base = view(line.estimate(opts.method, line.s));
  let pending: number[] = [];
  for (let k = 0; k < analytic.length; k++) {
    const a = analytic[k]!, n = base ? base.value[k]! : NaN;
    const tol = base ? tolOf(k, n, base.noise[k]!) : NaN;
    if (Math.abs(a - n) <= tol) tally.record(a, n, tol);
    else pending.push(k);
  }
  if (pending.length === 0) return true;

  // Second opinions at shrinking steps, each Richardson-refined.
  const best = new Map<number, { value: number; tol: number }>();
  for (let level = 0, h = line.s; opts.refine && level < REFINE_LEVELS && pending.length > 0; level++, h /= 4) {
    const r = view(line.refined(opts.method, h));
    if (!r) continue;
    const next: number[] = [];
    for (const k of pending) {
      const a = analytic[k]!, v = r.value[k]!;
      // A smaller step removes truncation error, but must not loosen the check: below the base step
      // the round-off allowance is capped at the tolerance itself (at most twice the tolerance).
      const tol = level === 0 ? tolOf(k, v, r.noise[k]!) : tolerance(k, v) + Math.min(c * r.noise[k]! + extra, tolerance(k, v));
      if (Number.isFinite(v) && !best.has(k)) best.set(k, { value: v, tol });
      if (Math.abs(a - v) <= tol) tally.record(a, v, tol, true);
      else next.push(k);
    }
    pending = next;
  }
  if (pending.length === 0) return true;

  const oneSided = opts.kinks === 'ignore' ? null : line.oneSided(line.s);
  const sides = oneSided && spec.project ? { left: projectEstimate(oneSided.left, spec.project), right: projectEstimate(oneSided.right, spec.project) } : oneSided;
  for (const k of pending) {
    const a = analytic[k]!, n = base ? base.value[k]! : NaN;
    const b = best.get(k);
    const value = b?.value ?? n;
    const tol = b?.tol ?? (base ? tolOf(k, n, base.noise[k]!) : NaN);
    const absError = Math.abs(a - value);
    const record: GradientMismatch = {
      kind: spec.kind ?? 'mismatch', ...loc(k), analytic: a, numeric: n, ...(b ? { refined: b.value } : {}),
      absError, relError: value === 0 ? (absError === 0 ? 0 : Infinity) : absError / Math.abs(value), tolerance: tol, step: line.s,
    };
    if (!Number.isFinite(value)) {
      const f = line.failure;
      const originFinite = spec.project ? line.origin.y.every(Number.isFinite) : Number.isFinite(line.origin.y[k]!);
      const note = !originFinite
        ? 'the output itself is not finite at this point'
        : f && f.kind === 'threw'
          ? `the forward threw at displacement ${f.t}: ${f.message}`
          : f && f.kind === 'step'
            ? f.message
            : 'the forward is not finite within one step of this point: it is at the edge of the domain; generate points further inside';
      tally.fail({ ...record, kind: originFinite ? 'domain' : record.kind, note });
      continue;
    }
    if (sides) {
      const left = sides.left.value[k]!, right = sides.right.value[k]!;
      const tolSide = tolerance(k, Math.max(Math.abs(left), Math.abs(right))) + c * (sides.left.noise[k]! + sides.right.noise[k]!) + extra;
      if (Math.abs(left - right) > tolSide) {
        const lo = Math.min(left, right), hi = Math.max(left, right);
        const within = a >= lo - tolSide && a <= hi + tolSide;
        if (within && opts.kinks === 'detect') {
          tally.kinks.push({ ...loc(k), analytic: a, numeric: n, left, right, step: line.s });
          continue;
        }
        tally.fail({
          ...record, kind: 'kink', left, right,
          note: within
            ? "within one step of a non-differentiable point (kinks: 'reject')"
            : 'within one step of a non-differentiable point, and the analytic value lies outside the one-sided derivatives',
        });
        continue;
      }
    }
    if (!Number.isFinite(n) && b) {
      record.note = `the method's step leaves the domain here (${line.failure?.kind === 'threw' ? `the forward threw: ${line.failure.message}` : 'the forward is not finite'}); only smaller steps could be used, and they disagree — generate points further inside the domain, or use method 'central'`;
    }
    tally.record(a, value, tol, true, true);
    tally.fail(record);
  }
  return false;
}

/** vᵀ·estimate, with round-off bounds combined as a root sum of squares. */
function projectEstimate(e: Estimate, v: Float64Array): Estimate {
  let value = 0, noise2 = 0;
  for (let k = 0; k < v.length; k++) {
    const d = e.value[k]!;
    if (d !== 0) value += v[k]! * d;
    const n = v[k]! * e.noise[k]!;
    noise2 += n * n;
  }
  return { value: Float64Array.of(value), noise: Float64Array.of(Math.sqrt(noise2)) };
}
