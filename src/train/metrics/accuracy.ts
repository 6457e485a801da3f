/**
 * Accuracy: the share of predictions whose class is the true class.
 */
import { type Metric, badState, stateCount, stateRecord } from './metric.js';
import { type Prediction, classLabel, predictedClass } from './inputs.js';

export interface AccuracyState {
  metric: 'accuracy';
  n: number;
  correct: number;
}

/** Accuracy, as River's `metrics.Accuracy` (counts, so reverting is exact). */
export class Accuracy implements Metric {
  readonly name = 'accuracy';
  private n = 0;
  private correct = 0;

  /** 1 if the predicted class is the true one, else 0. */
  private hit(yTrue: number, yPred: Prediction): number {
    const { predicted, classes } = predictedClass(this.name, yPred);
    return classLabel(this.name, yTrue, classes) === predicted ? 1 : 0;
  }

  validate(yTrue: number, yPred: Prediction): void {
    this.hit(yTrue, yPred);
  }

  update(yTrue: number, yPred: Prediction): void {
    this.correct += this.hit(yTrue, yPred);
    this.n += 1;
  }

  revert(yTrue: number, yPred: Prediction): void {
    const hit = this.hit(yTrue, yPred);
    if (this.n === 0 || this.correct < hit || this.n - this.correct < 1 - hit) {
      throw new RangeError(`${this.name}: cannot revert a pair that was not counted`);
    }
    this.correct -= hit;
    this.n -= 1;
  }

  get(): number {
    return this.n === 0 ? 0 : this.correct / this.n;
  }

  reset(): void {
    this.n = 0;
    this.correct = 0;
  }

  state(): AccuracyState {
    return { metric: 'accuracy', n: this.n, correct: this.correct };
  }

  load(state: unknown): void {
    const s = stateRecord(this.name, 'accuracy', state);
    const n = stateCount(this.name, s, 'n');
    const correct = stateCount(this.name, s, 'correct');
    if (correct > n) throw badState(this.name, `correct (${correct}) exceeds n (${n})`);
    this.n = n;
    this.correct = correct;
  }
}

/**
 * Accuracy = correct / n over the pairs seen (0 before any); River's `metrics.Accuracy`.
 * A binary prediction is P(class 1) and counts as class 1 when p > 0.5 (a tie is class 0); several
 * per-class values count as their argmax (the first on ties).
 *
 * @example
 * const m = accuracy();
 * m.update(1, 0.9);             // class 1: right
 * m.update(0, 0.5);             // a tie is class 0: right
 * m.update(1, 0.2);             // class 0: wrong
 * m.update(2, [0.1, 0.2, 0.7]); // argmax 2: right
 * m.get(); // 0.75
 */
export function accuracy(): Accuracy {
  return new Accuracy();
}
