/**
 * Mean absolute error: (1/n) Σ |yᵢ − ŷᵢ|.
 */
import { MeanMetric } from './mean-metric.js';
import { type Prediction, finite, single } from './inputs.js';

/** Mean absolute error, as River's `metrics.MAE` (a running mean). */
export class Mae extends MeanMetric {
  readonly name = 'mae';

  protected term(yTrue: number, yPred: Prediction): number {
    return Math.abs(finite(this.name, 'yTrue', yTrue) - single(this.name, yPred));
  }

  get(): number {
    return this.meanValue();
  }
}

/**
 * Mean absolute error, MAE = (1/n) Σ |yᵢ − ŷᵢ| over the pairs seen (0 before any); River's
 * `metrics.MAE`, kept as a running mean like River's `stats.Mean`.
 *
 * @example
 * const m = mae();
 * m.update(3, 2.5);
 * m.update(-0.5, 0);
 * m.update(2, 2);
 * m.update(7, 8);
 * m.get(); // 0.5
 */
export function mae(): Mae {
  return new Mae();
}
