/**
 * A metric over a sliding window of the last observations.
 */
import { type Metric, badState, stateRecord } from './metric.js';
import type { Prediction } from './inputs.js';

/** One remembered pair: the truth and a copy of the prediction. */
export type WindowPair = [yTrue: number, yPred: number | number[]];

export interface RollingState {
  metric: 'rolling';
  windowSize: number;
  /** The wrapped metric's own state. */
  inner: unknown;
  /** The pairs in the window, oldest first. */
  window: WindowPair[];
}

function samePrediction(a: number | number[], b: Prediction): boolean {
  if (typeof a === 'number' || typeof b === 'number') return a === b;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** `metric` over the last `windowSize` pairs, as River's `utils.Rolling`. */
export class Rolling<M extends Metric = Metric> implements Metric {
  readonly name: string;
  readonly metric: M;
  readonly windowSize: number;
  /** The window as a ring: `ys[(head + i) % length]` is the i-th oldest. */
  private ys: number[] = [];
  private ps: (number | number[])[] = [];
  private head = 0;

  constructor(metric: M, windowSize: number) {
    if (!Number.isSafeInteger(windowSize) || windowSize < 1) throw new RangeError(`rolling: windowSize must be a positive integer, got ${windowSize}`);
    this.metric = metric;
    this.windowSize = windowSize;
    this.name = `rolling(${metric.name},${windowSize})`;
  }

  /** How many pairs the window holds. */
  get size(): number {
    return this.ys.length;
  }

  validate(yTrue: number, yPred: Prediction): void {
    this.metric.validate?.(yTrue, yPred);
  }

  update(yTrue: number, yPred: Prediction): void {
    this.metric.validate?.(yTrue, yPred);
    const full = this.ys.length === this.windowSize;
    // River's order: take the oldest pair out, then put the new one in.
    if (full) this.metric.revert(this.ys[this.head]!, this.ps[this.head]!);
    try {
      this.metric.update(yTrue, yPred);
    } catch (err) {
      // Only reached for a metric without `validate`: put the evicted pair back and stay as we were.
      if (full) this.metric.update(this.ys[this.head]!, this.ps[this.head]!);
      throw err;
    }
    // A copy: callers reuse their prediction buffers (a tensor's data, a subarray view).
    const kept = typeof yPred === 'number' ? yPred : Array.from(yPred);
    if (full) {
      this.ys[this.head] = yTrue;
      this.ps[this.head] = kept;
      this.head = (this.head + 1) % this.windowSize;
    } else {
      this.ys.push(yTrue);
      this.ps.push(kept);
    }
  }

  /** Takes the newest matching pair out of the window. A pair evicted earlier is gone for good. */
  revert(yTrue: number, yPred: Prediction): void {
    const ys = this.ordered(this.ys);
    const ps = this.ordered(this.ps);
    let i = ys.length - 1;
    while (i >= 0 && !(ys[i] === yTrue && samePrediction(ps[i]!, yPred))) i--;
    if (i < 0) throw new RangeError(`${this.name}: cannot revert a pair that is not in the window`);
    this.metric.revert(ys[i]!, ps[i]!);
    ys.splice(i, 1);
    ps.splice(i, 1);
    this.ys = ys;
    this.ps = ps;
    this.head = 0;
  }

  private ordered<T>(ring: T[]): T[] {
    return ring.slice(this.head).concat(ring.slice(0, this.head));
  }

  get(): number {
    return this.metric.get();
  }

  reset(): void {
    this.metric.reset();
    this.ys = [];
    this.ps = [];
    this.head = 0;
  }

  state(): RollingState {
    const ps = this.ordered(this.ps);
    const window = this.ordered(this.ys).map((y, i): WindowPair => {
      const p = ps[i]!;
      return [y, typeof p === 'number' ? p : p.slice()];
    });
    return { metric: 'rolling', windowSize: this.windowSize, inner: this.metric.state(), window };
  }

  load(state: unknown): void {
    const s = stateRecord(this.name, 'rolling', state);
    if (s['windowSize'] !== this.windowSize) throw badState(this.name, `its window holds ${JSON.stringify(s['windowSize'])} pairs, this one ${this.windowSize}`);
    const w = s['window'];
    if (!Array.isArray(w) || w.length > this.windowSize) throw badState(this.name, `window must be an array of at most ${this.windowSize} pairs`);
    const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
    const ys: number[] = [];
    const ps: (number | number[])[] = [];
    for (let i = 0; i < w.length; i++) {
      const pair: unknown = w[i];
      const p: unknown = Array.isArray(pair) ? pair[1] : undefined;
      const ok = Array.isArray(pair) && pair.length === 2 && isNum(pair[0]) && (isNum(p) || (Array.isArray(p) && p.length > 0 && p.every(isNum)));
      if (!ok) throw badState(this.name, `window[${i}] is not a [yTrue, yPred] pair of finite numbers`);
      ys.push(pair[0] as number);
      ps.push(typeof p === 'number' ? p : (p as number[]).slice());
    }
    this.metric.load(s['inner']);
    this.ys = ys;
    this.ps = ps;
    this.head = 0;
  }
}

/**
 * `metric` computed over the last `windowSize` pairs only, as River's `utils.Rolling`: the window
 * keeps the pairs, and when it is full the oldest one is `revert`ed from the metric before the new
 * one is added. Its state holds the window, so a checkpoint resumes the same window.
 *
 * @example
 * const m = rolling(mae(), 2);
 * m.update(1, 0); // |1 − 0| = 1
 * m.update(2, 0); // 2
 * m.update(3, 0); // 3; the first pair leaves the window
 * m.get(); // 2.5
 */
export function rolling<M extends Metric>(metric: M, windowSize: number): Rolling<M> {
  return new Rolling(metric, windowSize);
}
