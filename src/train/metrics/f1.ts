/**
 * F1 score of one class (binary F1).
 */
import { type Metric, badState, stateCount, stateRecord } from './metric.js';
import { type Prediction, classLabel, predictedClass } from './inputs.js';

export interface F1Options {
  /** The class counted as positive (default 1). */
  positive?: number;
}

export interface F1State {
  metric: 'f1';
  positive: number;
  tp: number;
  fp: number;
  fn: number;
  n: number;
}

/** Where a (true, predicted) pair falls in the confusion matrix of the positive class. */
const enum Cell {
  TrueNegative = 0,
  TruePositive = 1,
  FalsePositive = 2,
  FalseNegative = 3,
}

/** Binary F1, as River's `metrics.F1` (counts, so reverting is exact). */
export class F1 implements Metric {
  readonly name = 'f1';
  readonly positive: number;
  private tp = 0;
  private fp = 0;
  private fn = 0;
  private n = 0;

  constructor(positive: number) {
    if (!Number.isSafeInteger(positive) || positive < 0) throw new RangeError(`f1: positive must be a class label (an integer ≥ 0), got ${positive}`);
    this.positive = positive;
  }

  /**
   * The cell of the confusion matrix the pair falls in (a number, not a tuple: this runs on every
   * update, and an array per call was most of what the metric allocated).
   */
  private cell(yTrue: number, yPred: Prediction): Cell {
    const { predicted, classes } = predictedClass(this.name, yPred);
    if (this.positive >= classes) throw new RangeError(`${this.name}: the positive class ${this.positive} is not one of the ${classes} classes of yPred`);
    const actual = classLabel(this.name, yTrue, classes) === this.positive;
    const guessed = predicted === this.positive;
    return actual ? (guessed ? Cell.TruePositive : Cell.FalseNegative) : guessed ? Cell.FalsePositive : Cell.TrueNegative;
  }

  validate(yTrue: number, yPred: Prediction): void {
    this.cell(yTrue, yPred);
  }

  update(yTrue: number, yPred: Prediction): void {
    const c = this.cell(yTrue, yPred);
    if (c === Cell.TruePositive) this.tp += 1;
    else if (c === Cell.FalsePositive) this.fp += 1;
    else if (c === Cell.FalseNegative) this.fn += 1;
    this.n += 1;
  }

  revert(yTrue: number, yPred: Prediction): void {
    const c = this.cell(yTrue, yPred);
    const counted = c === Cell.TruePositive ? this.tp : c === Cell.FalsePositive ? this.fp : c === Cell.FalseNegative ? this.fn : this.n - this.tp - this.fp - this.fn;
    if (this.n === 0 || counted < 1) throw new RangeError(`${this.name}: cannot revert a pair that was not counted`);
    if (c === Cell.TruePositive) this.tp -= 1;
    else if (c === Cell.FalsePositive) this.fp -= 1;
    else if (c === Cell.FalseNegative) this.fn -= 1;
    this.n -= 1;
  }

  /** Precision TP/(TP + FP), 0 when nothing was predicted positive. */
  precision(): number {
    return this.tp + this.fp === 0 ? 0 : this.tp / (this.tp + this.fp);
  }

  /** Recall TP/(TP + FN), 0 when no positive was seen. */
  recall(): number {
    return this.tp + this.fn === 0 ? 0 : this.tp / (this.tp + this.fn);
  }

  get(): number {
    // River's FBeta with β = 1, in its order of operations: (1 + β²)·P·R / (β²·P + R).
    const p = this.precision();
    const r = this.recall();
    return p + r === 0 ? 0 : (2 * p * r) / (p + r);
  }

  reset(): void {
    this.tp = this.fp = this.fn = this.n = 0;
  }

  state(): F1State {
    return { metric: 'f1', positive: this.positive, tp: this.tp, fp: this.fp, fn: this.fn, n: this.n };
  }

  load(state: unknown): void {
    const s = stateRecord(this.name, 'f1', state);
    if (s['positive'] !== this.positive) throw badState(this.name, `it counts class ${JSON.stringify(s['positive'])} as positive, this metric class ${this.positive}`);
    const tp = stateCount(this.name, s, 'tp');
    const fp = stateCount(this.name, s, 'fp');
    const fn = stateCount(this.name, s, 'fn');
    const n = stateCount(this.name, s, 'n');
    if (tp + fp + fn > n) throw badState(this.name, `tp + fp + fn (${tp + fp + fn}) exceeds n (${n})`);
    this.tp = tp;
    this.fp = fp;
    this.fn = fn;
    this.n = n;
  }
}

/**
 * Binary F1 of the class `positive`: P = TP/(TP + FP), R = TP/(TP + FN), F1 = 2PR/(P + R), each 0
 * on a zero division (River's `metrics.F1`, `fbeta.py`). Predictions are read as by `accuracy`: a
 * probability of class 1 (class 1 when p > 0.5) or per-class values (argmax).
 *
 * @example
 * const m = f1();
 * m.update(1, 0.9); // TP
 * m.update(0, 0.7); // FP
 * m.update(1, 0.3); // FN
 * m.update(0, 0.1); // TN
 * m.get(); // 0.5 (P = 1/2, R = 1/2)
 */
export function f1(options: F1Options = {}): F1 {
  return new F1(options.positive ?? 1);
}
