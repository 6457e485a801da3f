/**
 * The metric contract for prequential ("test, then train") evaluation, River's semantics
 * (`river/metrics/base.py`): a metric is fed one (truth, prediction) pair at a time, can take a pair
 * back (`revert`, which windows need), and reports its current value with `get()`.
 *
 * What a prediction is depends on the task:
 * - binary classification: `yPred` is P(class 1), a number in [0, 1] (or a one-element array, as a
 *   sigmoid head gives it); the predicted class is 1 when p > 0.5, so a tie goes to class 0 as in
 *   River, where the first key (False) wins;
 * - multiclass: `yPred` holds one probability (or score) per class and the predicted class is the
 *   argmax, the first one on ties;
 * - regression: `yPred` is the value (a number or a one-element array).
 *
 * Every number is checked: a non-finite input is an error naming the metric, never averaged in.
 * `state()` is plain JSON (numbers, arrays, strings) and `load(state())` restores the metric exactly:
 * every number in a state is finite, and JSON round-trips finite float64 values to the bit.
 */

/** A streaming metric. */
export interface Metric {
  /** Short name (`accuracy`, `mae`, `rolling(mae,100)` …), used in messages and reports. */
  readonly name: string;
  /** Scores one prediction. */
  update(yTrue: number, yPred: number | ArrayLike<number>): void;
  /** Takes back a pair given earlier to `update` (for windows). */
  revert(yTrue: number, yPred: number | ArrayLike<number>): void;
  /** The current value (River's value for an empty metric: 0). */
  get(): number;
  /** Forgets everything seen. */
  reset(): void;
  /** A plain-JSON snapshot of everything `load` needs. */
  state(): unknown;
  /** Restores a snapshot from `state()`; refuses one of another metric or configuration. */
  load(state: unknown): void;
  /**
   * Optional: throws exactly the error `update(yTrue, yPred)` would throw, changing nothing.
   * Wrappers (`rolling`) use it so that a refused pair leaves them untouched.
   */
  validate?(yTrue: number, yPred: number | ArrayLike<number>): void;
}

/** The error a metric throws for a state it cannot load. */
export function badState(metric: string, why: string): TypeError {
  return new TypeError(`${metric}: cannot load state: ${why}`);
}

/** Reads a state object and checks its `metric` tag. */
export function stateRecord(metric: string, tag: string, state: unknown): Record<string, unknown> {
  if (typeof state !== 'object' || state === null || Array.isArray(state)) throw badState(metric, 'not an object');
  const s = state as Record<string, unknown>;
  if (s['metric'] !== tag) throw badState(metric, `it is the state of ${JSON.stringify(s['metric'])}, not ${JSON.stringify(tag)}`);
  return s;
}

/** A finite number field of a state. */
export function stateNumber(metric: string, s: Record<string, unknown>, key: string): number {
  const v = s[key];
  if (typeof v !== 'number' || !Number.isFinite(v)) throw badState(metric, `${key} must be a finite number, got ${JSON.stringify(v)}`);
  return v;
}

/** A count field of a state: a non-negative safe integer. */
export function stateCount(metric: string, s: Record<string, unknown>, key: string): number {
  const v = s[key];
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw badState(metric, `${key} must be a count, got ${JSON.stringify(v)}`);
  return v;
}
