/**
 * Reading and checking what metrics are fed. Every reader throws before the metric changes, with a
 * message that names the metric, so a NaN from a diverging model stops the run where it appears.
 */

export type Prediction = number | ArrayLike<number>;

function show(v: unknown): string {
  return typeof v === 'number' ? String(v) : typeof v === 'string' ? JSON.stringify(v) : Object.prototype.toString.call(v);
}

/** `v` itself if it is a finite number. */
export function finite(metric: string, what: string, v: number): number {
  if (typeof v !== 'number') throw new TypeError(`${metric}: ${what} must be a number, got ${show(v)}`);
  if (!Number.isFinite(v)) throw new RangeError(`${metric}: ${what} must be finite, got ${v}`);
  return v;
}

/** The prediction as an array of finite numbers (a number becomes one element). */
function entries(metric: string, yPred: Prediction): ArrayLike<number> {
  if (typeof yPred === 'number') return [finite(metric, 'yPred', yPred)];
  if (typeof yPred !== 'object' || yPred === null || typeof yPred.length !== 'number') {
    throw new TypeError(`${metric}: yPred must be a number or an array of numbers, got ${show(yPred)}`);
  }
  if (yPred.length === 0) throw new RangeError(`${metric}: yPred is empty`);
  for (let i = 0; i < yPred.length; i++) finite(metric, `yPred[${i}]`, yPred[i]!);
  return yPred;
}

/** A regression prediction: a number or a one-element array. */
export function single(metric: string, yPred: Prediction): number {
  const e = entries(metric, yPred);
  if (e.length !== 1) throw new RangeError(`${metric}: expected one predicted value, got ${e.length}`);
  return e[0]!;
}

function probability(metric: string, what: string, p: number): number {
  if (p < 0 || p > 1) throw new RangeError(`${metric}: ${what} must be a probability in [0, 1], got ${p}`);
  return p;
}

/**
 * P(class 1) of a binary prediction: a number, a one-element array (a sigmoid head), or the two
 * class probabilities [P(0), P(1)].
 */
export function probabilityOfOne(metric: string, yPred: Prediction): number {
  // A number is read as it is (entries() would wrap it in an array, once per update).
  if (typeof yPred === 'number') return probability(metric, 'yPred', finite(metric, 'yPred', yPred));
  const e = entries(metric, yPred);
  if (e.length === 1) return probability(metric, 'yPred', e[0]!);
  if (e.length === 2) return probability(metric, 'yPred[1]', e[1]!);
  throw new RangeError(`${metric}: is binary, but yPred holds ${e.length} class probabilities`);
}

/** A binary label: 0 or 1. */
export function binaryLabel(metric: string, yTrue: number): number {
  finite(metric, 'yTrue', yTrue);
  if (yTrue !== 0 && yTrue !== 1) throw new RangeError(`${metric}: yTrue must be a binary label 0 or 1, got ${yTrue}`);
  return yTrue;
}

/** The predicted class and how many classes the prediction speaks of. */
export interface ClassPrediction {
  readonly predicted: number;
  readonly classes: number;
}

const CLASS_ZERO: ClassPrediction = Object.freeze({ predicted: 0, classes: 2 });
const CLASS_ONE: ClassPrediction = Object.freeze({ predicted: 1, classes: 2 });

/**
 * The predicted class: for one probability, 1 when p > 0.5 (a tie goes to 0, as in River); for
 * several per-class values, the argmax (the first one on ties).
 */
export function predictedClass(metric: string, yPred: Prediction): ClassPrediction {
  // A binary prediction as a number (the online case): one of two shared answers, nothing allocated
  // per update (metrics run every tick, a rolling one twice).
  if (typeof yPred === 'number') return probability(metric, 'yPred', finite(metric, 'yPred', yPred)) > 0.5 ? CLASS_ONE : CLASS_ZERO;
  const e = entries(metric, yPred);
  if (e.length === 1) return { predicted: probability(metric, 'yPred', e[0]!) > 0.5 ? 1 : 0, classes: 2 };
  let best = 0;
  for (let i = 1; i < e.length; i++) if (e[i]! > e[best]!) best = i;
  return { predicted: best, classes: e.length };
}

/** A class label: an integer in [0, classes). */
export function classLabel(metric: string, yTrue: number, classes: number): number {
  finite(metric, 'yTrue', yTrue);
  if (!Number.isInteger(yTrue) || yTrue < 0 || yTrue >= classes) {
    const range = classes === 2 ? '0 or 1' : `an integer in [0, ${classes})`;
    throw new RangeError(`${metric}: yTrue must be a class label ${range}, got ${yTrue}`);
  }
  return yTrue;
}
