/**
 * Log loss (binary cross-entropy) of predicted probabilities.
 */
import { MeanMetric } from './mean-metric.js';
import { type Prediction, binaryLabel, classLabel, finite } from './inputs.js';

const EPS = 1e-15;

/** Clamps a probability into [1e-15, 1 − 1e-15], as River's `ClassificationMetric._clamp_proba`. */
function clamp(p: number): number {
  return Math.min(Math.max(p, EPS), 1 - EPS);
}

/** Log loss, as River's `metrics.LogLoss` (binary) and `metrics.CrossEntropy` (several classes). */
export class LogLoss extends MeanMetric {
  readonly name = 'logLoss';

  protected term(yTrue: number, yPred: Prediction): number {
    if (typeof yPred === 'number' || yPred.length === 1) {
      const p = typeof yPred === 'number' ? yPred : yPred[0]!;
      finite(this.name, 'yPred', p);
      if (p < 0 || p > 1) throw new RangeError(`${this.name}: yPred must be a probability in [0, 1], got ${p}`);
      return binaryLabel(this.name, yTrue) === 1 ? -Math.log(clamp(p)) : -Math.log(1 - clamp(p));
    }
    if (typeof yPred !== 'object' || yPred === null || typeof yPred.length !== 'number') {
      throw new TypeError(`${this.name}: yPred must be a number or an array of numbers`);
    }
    if (yPred.length === 0) throw new RangeError(`${this.name}: yPred is empty`);
    for (let i = 0; i < yPred.length; i++) {
      const p = finite(this.name, `yPred[${i}]`, yPred[i]!);
      if (p < 0 || p > 1) throw new RangeError(`${this.name}: yPred[${i}] must be a probability in [0, 1], got ${p}`);
    }
    return -Math.log(clamp(yPred[classLabel(this.name, yTrue, yPred.length)]!));
  }

  get(): number {
    return this.meanValue();
  }
}

/**
 * Log loss: the mean over the pairs seen of −log p when y = 1 and −log(1 − p) when y = 0, with
 * p = P(class 1) clamped to [1e-15, 1 − 1e-15] (River's `metrics.LogLoss`); 0 before any pair.
 * Given one probability per class, the term is −log p[y] with the same clamp (River's
 * `metrics.CrossEntropy`); for two classes that is the binary loss of p[1].
 *
 * @example
 * const m = logLoss();
 * m.update(1, 0.9);
 * m.update(0, 0.1);
 * m.update(1, 0.8);
 * m.update(1, 0.35);
 * m.get(); // 0.37092167678213506, the mean of −log .9, −log .9, −log .8, −log .35
 */
export function logLoss(): LogLoss {
  return new LogLoss();
}
