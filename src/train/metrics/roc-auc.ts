/**
 * River's approximate ROC AUC: the ROC curve sampled at a fixed set of thresholds.
 */
import { type Metric, badState, stateCount, stateRecord } from './metric.js';
import { type Prediction, binaryLabel, probabilityOfOne } from './inputs.js';

export interface RocAucOptions {
  /** Number of thresholds the ROC curve is sampled at (default 10, River's `n_thresholds`); ≥ 2. */
  thresholds?: number;
}

export interface RocAucState {
  metric: 'rocAuc';
  thresholds: number;
  positives: number;
  negatives: number;
  /** Per threshold: positives with p > t. */
  tp: number[];
  /** Per threshold: negatives with p > t. */
  fp: number[];
}

/**
 * Sum of `a` in NumPy's order (`pairwise_sum` behind `np.add.reduce` on float64): straight for
 * fewer than 8 terms, eight interleaved partial sums up to 128, halves beyond. River integrates
 * with `scipy.integrate.trapezoid`, which sums this way; the same order gives River's last digits.
 */
function numpySum(a: Float64Array, start: number, n: number): number {
  if (n < 8) {
    let s = -0;
    for (let i = 0; i < n; i++) s += a[start + i]!;
    return s;
  }
  if (n <= 128) {
    const r = Array.from(a.subarray(start, start + 8));
    let i = 8;
    for (; i < n - (n % 8); i += 8) for (let j = 0; j < 8; j++) r[j]! += a[start + i + j]!;
    let s = r[0]! + r[1]! + (r[2]! + r[3]!) + (r[4]! + r[5]! + (r[6]! + r[7]!));
    for (; i < n; i++) s += a[start + i]!;
    return s;
  }
  let half = Math.floor(n / 2);
  half -= half % 8;
  return numpySum(a, start, half) + numpySum(a, start + half, n - half);
}

/** Approximate ROC AUC, exactly as River's `metrics.ROCAUC`. */
export class RocAuc implements Metric {
  readonly name = 'rocAuc';
  readonly thresholds: number;
  private readonly cuts: Float64Array;
  private positives = 0;
  private negatives = 0;
  private tp: Float64Array;
  private fp: Float64Array;
  /**
   * get()'s working arrays, made once: `learn` asks every metric for its value on every tick, and
   * three arrays of more than 8 numbers each lie outside V8's heap, about 0.7 µs apiece to make.
   */
  private readonly tpr: Float64Array;
  private readonly fpr: Float64Array;
  private readonly terms: Float64Array;

  constructor(thresholds: number) {
    if (!Number.isSafeInteger(thresholds) || thresholds < 2) throw new RangeError(`rocAuc: thresholds must be an integer ≥ 2, got ${thresholds}`);
    this.thresholds = thresholds;
    this.cuts = new Float64Array(thresholds);
    for (let i = 0; i < thresholds; i++) this.cuts[i] = i / (thresholds - 1);
    // NOTE: River widens the end thresholds so that p = 0 and p = 1 fall strictly inside.
    this.cuts[0] = this.cuts[0]! - 1e-7;
    this.cuts[thresholds - 1] = this.cuts[thresholds - 1]! + 1e-7;
    this.tp = new Float64Array(thresholds);
    this.fp = new Float64Array(thresholds);
    this.tpr = new Float64Array(thresholds);
    this.fpr = new Float64Array(thresholds);
    this.terms = new Float64Array(thresholds - 1);
  }

  private add(yTrue: number, yPred: Prediction, sign: 1 | -1): void {
    const p = probabilityOfOne(this.name, yPred);
    const positive = binaryLabel(this.name, yTrue) === 1;
    const counts = positive ? this.tp : this.fp;
    if (sign < 0) {
      const total = positive ? this.positives : this.negatives;
      let ok = total > 0;
      for (let i = 0; i < this.thresholds && ok; i++) if (p > this.cuts[i]! && counts[i]! === 0) ok = false;
      if (!ok) throw new RangeError(`${this.name}: cannot revert a pair that was not counted`);
    }
    for (let i = 0; i < this.thresholds; i++) if (p > this.cuts[i]!) counts[i] = counts[i]! + sign;
    if (positive) this.positives += sign;
    else this.negatives += sign;
  }

  validate(yTrue: number, yPred: Prediction): void {
    probabilityOfOne(this.name, yPred);
    binaryLabel(this.name, yTrue);
  }

  update(yTrue: number, yPred: Prediction): void {
    this.add(yTrue, yPred, 1);
  }

  revert(yTrue: number, yPred: Prediction): void {
    this.add(yTrue, yPred, -1);
  }

  get(): number {
    const k = this.thresholds, tpr = this.tpr, fpr = this.fpr, terms = this.terms;
    for (let i = 0; i < k; i++) {
      tpr[i] = this.positives === 0 ? 0 : this.tp[i]! / this.positives;
      fpr[i] = this.negatives === 0 ? 0 : this.fp[i]! / this.negatives;
    }
    // −trapezoid(x = fpr, y = tpr): fpr falls as the threshold rises, so the raw area is negative.
    for (let i = 0; i < k - 1; i++) terms[i] = ((fpr[i + 1]! - fpr[i]!) * (tpr[i + 1]! + tpr[i]!)) / 2;
    const area = -numpySum(terms, 0, k - 1);
    return area === 0 ? 0 : area;
  }

  reset(): void {
    this.positives = this.negatives = 0;
    this.tp.fill(0);
    this.fp.fill(0);
  }

  state(): RocAucState {
    return {
      metric: 'rocAuc',
      thresholds: this.thresholds,
      positives: this.positives,
      negatives: this.negatives,
      tp: Array.from(this.tp),
      fp: Array.from(this.fp),
    };
  }

  load(state: unknown): void {
    const s = stateRecord(this.name, 'rocAuc', state);
    if (s['thresholds'] !== this.thresholds) throw badState(this.name, `it has ${JSON.stringify(s['thresholds'])} thresholds, this metric ${this.thresholds}`);
    const positives = stateCount(this.name, s, 'positives');
    const negatives = stateCount(this.name, s, 'negatives');
    const counts = (key: 'tp' | 'fp', total: number): Float64Array => {
      const v = s[key];
      if (!Array.isArray(v) || v.length !== this.thresholds) throw badState(this.name, `${key} must be an array of ${this.thresholds} counts`);
      const out = new Float64Array(this.thresholds);
      for (let i = 0; i < v.length; i++) {
        const c: unknown = v[i];
        // A higher threshold never counts more: the counts cannot rise along the array.
        if (typeof c !== 'number' || !Number.isSafeInteger(c) || c < 0 || c > total || (i > 0 && c > out[i - 1]!)) {
          throw badState(this.name, `${key}[${i}] = ${JSON.stringify(c)} is not a count ≤ ${total} and ≤ ${key}[${i - 1}]`);
        }
        out[i] = c;
      }
      return out;
    };
    const tp = counts('tp', positives);
    const fp = counts('fp', negatives);
    this.positives = positives;
    this.negatives = negatives;
    this.tp = tp;
    this.fp = fp;
  }
}

/**
 * River's approximate ROC AUC (`metrics.ROCAUC`, `roc_auc.py`): `thresholds` cut points t_i = i/(k−1)
 * (the first lowered and the last raised by 1e-7), a confusion matrix per cut on (y = 1, p > t_i),
 * TPR = TP/(TP + FN) and FPR = FP/(FP + TN) (0 on a zero division), and AUC = −trapezoid(x = FPR,
 * y = TPR). The predictions are P(class 1). With few thresholds it differs from the exact (rank) AUC:
 * that is River's metric, and its published numbers need it.
 *
 * @example
 * const m = rocAuc();
 * [0, 0, 1, 1].forEach((y, i) => m.update(y, [0.1, 0.4, 0.35, 0.8][i]!));
 * m.get(); // 0.875 (River's docstring: 87.50%); with { thresholds: 20 }: 0.75, the exact AUC
 */
export function rocAuc(options: RocAucOptions = {}): RocAuc {
  return new RocAuc(options.thresholds ?? 10);
}
