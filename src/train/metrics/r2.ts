/**
 * Coefficient of determination R² over everything seen.
 */
import { type Metric, badState, stateCount, stateNumber, stateRecord } from './metric.js';
import { type Prediction, finite, single } from './inputs.js';

export interface R2State {
  metric: 'r2';
  n: number;
  /** Running mean of y. */
  mean: number;
  /** Running sample variance of y (n − 1 divisor), as River's `stats.Var`. */
  variance: number;
  /** Σ (y − ŷ)². */
  rss: number;
}

/** R², as River's `metrics.R2`. */
export class R2 implements Metric {
  readonly name = 'r2';
  private n = 0;
  private mean = 0;
  private variance = 0;
  private rss = 0;

  private pair(yTrue: number, yPred: Prediction): [number, number] {
    const y = finite(this.name, 'yTrue', yTrue);
    const d = y - single(this.name, yPred);
    const e = d * d;
    if (!Number.isFinite(e)) throw new RangeError(`${this.name}: the squared error of yTrue ${yTrue} overflows float64`);
    return [y, e];
  }

  /** n, mean, variance and rss after adding (sign 1) or removing (sign −1) a pair; refused on overflow. */
  private step(y: number, e: number, sign: 1 | -1): [number, number, number, number] {
    const n = this.n + sign;
    if (n === 0) return [0, 0, 0, 0];
    // River's Welford step of stats.Var(ddof = 1); a removal is the same step with weight −1.
    const mean = this.mean + (sign * (y - this.mean)) / n;
    const variance = n > 1 ? this.variance + (sign * ((y - this.mean) * (y - mean) - this.variance)) / (n - 1) : 0;
    const rss = this.rss + sign * e;
    if (!Number.isFinite(mean) || !Number.isFinite(variance) || !Number.isFinite(rss)) {
      throw new RangeError(`${this.name}: the statistics of y overflow float64 at yTrue ${y}`);
    }
    return [n, mean, variance, rss];
  }

  validate(yTrue: number, yPred: Prediction): void {
    const [y, e] = this.pair(yTrue, yPred);
    this.step(y, e, 1);
  }

  update(yTrue: number, yPred: Prediction): void {
    const [y, e] = this.pair(yTrue, yPred);
    [this.n, this.mean, this.variance, this.rss] = this.step(y, e, 1);
  }

  revert(yTrue: number, yPred: Prediction): void {
    const [y, e] = this.pair(yTrue, yPred);
    if (this.n === 0) throw new RangeError(`${this.name}: nothing to revert`);
    [this.n, this.mean, this.variance, this.rss] = this.step(y, e, -1);
  }

  get(): number {
    if (this.n < 2) return 0;
    const tss = (this.n - 1) * this.variance;
    return tss === 0 ? 0 : 1 - this.rss / tss;
  }

  reset(): void {
    this.n = this.mean = this.variance = this.rss = 0;
  }

  state(): R2State {
    return { metric: 'r2', n: this.n, mean: this.mean, variance: this.variance, rss: this.rss };
  }

  load(state: unknown): void {
    const s = stateRecord(this.name, 'r2', state);
    const n = stateCount(this.name, s, 'n');
    const mean = stateNumber(this.name, s, 'mean');
    const variance = stateNumber(this.name, s, 'variance');
    const rss = stateNumber(this.name, s, 'rss');
    if (variance < 0 || rss < 0) throw badState(this.name, 'variance and rss cannot be negative');
    if (n < 2 && variance !== 0) throw badState(this.name, 'variance must be 0 below two samples');
    if (n === 0 && (mean !== 0 || rss !== 0)) throw badState(this.name, 'mean and rss must be 0 when n is 0');
    this.n = n;
    this.mean = mean;
    this.variance = variance;
    this.rss = rss;
  }
}

/**
 * R² = 1 − Σ(yᵢ − ŷᵢ)² / Σ(yᵢ − ȳ)² over every y seen, River's `metrics.R2`: 0 when fewer than two
 * pairs were seen or when all y are equal (the denominator is 0). The denominator is kept as River
 * keeps it, (n − 1)·s² with s² the running sample variance (Welford).
 *
 * @example
 * const m = r2();
 * m.update(3, 2.5);
 * m.update(-0.5, 0);   // m.get() ≈ 0.9183 (River's docstring)
 * m.update(2, 2);
 * m.update(7, 8);
 * m.get(); // ≈ 0.9486
 */
export function r2(): R2 {
  return new R2();
}
