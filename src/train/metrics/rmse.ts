/**
 * Root mean squared error: √((1/n) Σ (yᵢ − ŷᵢ)²).
 */
import { MeanMetric } from './mean-metric.js';
import { type Prediction, finite, single } from './inputs.js';

/** Root mean squared error, as River's `metrics.RMSE` (the root of a running mean). */
export class Rmse extends MeanMetric {
  readonly name = 'rmse';

  protected term(yTrue: number, yPred: Prediction): number {
    const d = finite(this.name, 'yTrue', yTrue) - single(this.name, yPred);
    return d * d;
  }

  get(): number {
    return Math.sqrt(this.meanValue());
  }
}

/**
 * Root mean squared error, RMSE = √((1/n) Σ (yᵢ − ŷᵢ)²) over the pairs seen (0 before any); River's
 * `metrics.RMSE`: the square root of a running mean of squared errors.
 *
 * @example
 * const m = rmse();
 * m.update(3, 2.5);
 * m.update(-0.5, 0);
 * m.update(2, 2);
 * m.update(7, 8);
 * m.get(); // 0.6123724356957945 (√0.375)
 */
export function rmse(): Rmse {
  return new Rmse();
}
