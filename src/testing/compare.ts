/**
 * Compares analytic derivatives with a line's finite differences, entry by entry: accept within
 * tolerance; otherwise refine the estimate (Richardson at half the step); otherwise look for a kink
 * (one-sided differences that disagree) and accept the analytic value if it lies between them;
 * otherwise report a mismatch.
 */
import type { Line } from './line.js';
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
  failureCount = 0;
  readonly failures: GradientMismatch[] = [];
  readonly kinks: KinkFinding[] = [];
  constructor(private readonly maxFailures: number) {}

  record(a: number, n: number, tol: number): void {
    this.comparisons++;
    const err = Math.abs(a - n);
    if (err > this.maxAbsError || Number.isNaN(err)) this.maxAbsError = Number.isNaN(err) ? NaN : Math.max(this.maxAbsError, err);
    if (n !== 0) this.maxRelError = Math.max(this.maxRelError, err / Math.abs(n));
    const ratio = tol > 0 ? err / tol : err === 0 ? 0 : Infinity;
    this.maxErrorRatio = Number.isNaN(ratio) ? Infinity : Math.max(this.maxErrorRatio, ratio);
  }

  fail(m: GradientMismatch): void {
    this.failureCount++;
    if (this.failures.length < this.maxFailures) this.failures.push(m);
  }
}

export interface CompareSpec {
  line: Line;
  /** Analytic values, one per compared output. */
  analytic: ArrayLike<number>;
  /** atol + rtol·|n| for element entries; a scaled form for projections. */
  tolerance: (k: number, numeric: number) => number;
  /** Extra noise allowance per entry (projection: rounding of the perturbed input). */
  extraNoise?: number;
  where: Locator;
  kind?: 'mismatch' | 'projection';
}

/** Compares one line; returns whether every entry passed (kinks accepted count as passed). */
export function compareLine(spec: CompareSpec, opts: ResolvedOptions, tally: Tally): boolean {
  const { line, analytic, tolerance, where } = spec;
  const c = opts.noise, extra = spec.extraNoise ?? 0;
  const base = line.estimate(opts.method, line.s);
  const loc = (k: number): Pick<GradientMismatch, 'input' | 'index' | 'output' | 'trial'> => ({
    input: where.input,
    ...(where.index ? { index: where.index } : {}),
    ...(where.output ? { output: where.output(k) } : {}),
    ...(where.trial !== undefined ? { trial: where.trial } : {}),
  });
  if (!base) {
    const f = line.failure!;
    tally.fail({
      kind: 'domain', ...loc(0), analytic: analytic[0] ?? NaN, numeric: NaN, absError: NaN, relError: NaN, tolerance: NaN, step: line.s,
      note: f.kind === 'threw' ? `the forward threw at displacement ${f.t}: ${f.message}` : f.message,
    });
    return false;
  }
  const tolOf = (k: number, n: number, noise: number): number => tolerance(k, n) + c * noise + extra;
  const pending: number[] = [];
  for (let k = 0; k < analytic.length; k++) {
    const a = analytic[k]!, n = base.value[k]!;
    const tol = tolOf(k, n, base.noise[k]!);
    if (Math.abs(a - n) <= tol) tally.record(a, n, tol);
    else pending.push(k);
  }
  if (pending.length === 0) return true;

  // Second opinion: Richardson with half the step removes the leading truncation error (log near 0).
  const refined = line.refined(opts.method, line.s);
  const sides = opts.kinks === 'ignore' ? null : line.oneSided(line.s);
  let ok = true;
  for (const k of pending) {
    const a = analytic[k]!, n = base.value[k]!;
    const r = refined?.value[k];
    const best = r ?? n;
    const tolBest = refined ? tolOf(k, r!, refined.noise[k]!) : tolOf(k, n, base.noise[k]!);
    const absError = Math.abs(a - best);
    const record: GradientMismatch = {
      kind: spec.kind ?? 'mismatch', ...loc(k), analytic: a, numeric: n, ...(r !== undefined ? { refined: r } : {}),
      absError, relError: best === 0 ? (absError === 0 ? 0 : Infinity) : absError / Math.abs(best), tolerance: tolBest, step: line.s,
    };
    if (!Number.isFinite(n) || (r !== undefined && !Number.isFinite(r))) {
      // The forward is not finite within one step although it is at x: the edge of the domain.
      if (Number.isFinite(line.origin.y[k]!)) {
        tally.fail({ ...record, kind: 'domain', note: 'the forward is not finite within one step of this point: it is at the edge of the domain; generate points further inside' });
        ok = false;
        continue;
      }
    }
    if (absError <= tolBest) {
      tally.record(a, best, tolBest);
      continue;
    }
    if (sides) {
      const left = sides.left.value[k]!, right = sides.right.value[k]!;
      const tolSide = tolerance(k, Math.max(Math.abs(left), Math.abs(right))) + c * (sides.left.noise[k]! + sides.right.noise[k]!) + extra;
      const kinked = !(Math.abs(left - right) <= tolSide);
      if (kinked) {
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
        ok = false;
        continue;
      }
      record.left = left;
      record.right = right;
    }
    tally.record(a, best, tolBest);
    tally.fail(record);
    ok = false;
  }
  return ok;
}
