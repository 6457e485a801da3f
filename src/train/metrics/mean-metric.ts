/**
 * Metrics that are running means of a per-pair term (MAE, MSE behind RMSE, log loss), updated as
 * River's `stats.Mean` does so that River's digits come out: n ← n + 1, m ← m + (t − m)/n, and
 * reverted by n ← n − 1, m ← m − (t − m)/n (m ← 0 when n reaches 0).
 */
import { type Metric, stateCount, stateNumber, stateRecord, badState } from './metric.js';
import type { Prediction } from './inputs.js';

export interface MeanState {
  metric: string;
  n: number;
  mean: number;
}

export abstract class MeanMetric implements Metric {
  abstract readonly name: string;
  protected n = 0;
  protected mean = 0;

  /** The checked per-pair term; throws (naming the metric) for inputs it refuses. */
  protected abstract term(yTrue: number, yPred: Prediction): number;

  validate(yTrue: number, yPred: Prediction): void {
    this.next(this.term(yTrue, yPred));
  }

  update(yTrue: number, yPred: Prediction): void {
    const t = this.term(yTrue, yPred);
    this.mean = this.next(t);
    this.n += 1;
  }

  revert(yTrue: number, yPred: Prediction): void {
    const t = this.term(yTrue, yPred);
    if (this.n === 0) throw new RangeError(`${this.name}: nothing to revert`);
    this.n -= 1;
    this.mean = this.n === 0 ? 0 : this.mean - (t - this.mean) / this.n;
  }

  /** The mean after adding `t`, refused if it leaves the float64 range. */
  private next(t: number): number {
    const m = this.mean + (t - this.mean) / (this.n + 1);
    if (!Number.isFinite(m)) throw new RangeError(`${this.name}: the running mean overflows float64 with the term ${t}`);
    return m;
  }

  /** The running mean of the terms (0 before any update). */
  protected meanValue(): number {
    // NOTE: every term here is ≥ 0, but reverts can leave the mean a hair below 0 (−1e-300, say);
    // RMSE would then be √(negative) = NaN (River's would be a complex number). Clamp at 0.
    return Math.max(0, this.mean);
  }

  abstract get(): number;

  reset(): void {
    this.n = 0;
    this.mean = 0;
  }

  state(): MeanState {
    return { metric: this.name, n: this.n, mean: this.mean };
  }

  load(state: unknown): void {
    const s = stateRecord(this.name, this.name, state);
    const n = stateCount(this.name, s, 'n');
    const mean = stateNumber(this.name, s, 'mean');
    if (n === 0 && mean !== 0) throw badState(this.name, 'mean must be 0 when n is 0');
    this.n = n;
    this.mean = mean;
  }
}
