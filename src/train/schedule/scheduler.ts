/**
 * Learning-rate schedulers, PyTorch's way: a scheduler is bound to an optimizer, its constructor
 * sets the lrs of step 0, and each `step()` (once per optimizer step, after it) moves every group's
 * lr to the next value with PyTorch's recursive ("chainable") formula, so the lrs agree with
 * PyTorch's to the bit and another scheduler or the user may also change them in between.
 */
import type { BaseOptions, Optimizer } from '../optimizer.js';
import { type EncodedNumber, decodeNumber, describe, encodeNumber, isRecord } from '../serialize.js';

/** What a learning-rate scheduler offers; implement it to write your own. */
export interface LRScheduler {
  /** Scheduler steps taken so far (0 after construction, as PyTorch's `last_epoch`). */
  readonly lastEpoch: number;
  /** The lrs of the optimizer's groups after the last step (PyTorch's `get_last_lr()`). */
  readonly lastLr: readonly number[];
  /** Advances the schedule by one step and sets every group's lr. */
  step(): void;
  stateDict(): SchedulerState;
  loadStateDict(state: SchedulerState): void;
}

/** A scheduler's checkpoint: plain JSON-safe data. */
export interface SchedulerState {
  type: string;
  lastEpoch: number;
  baseLrs: EncodedNumber[];
  lastLr: EncodedNumber[];
}

// biome-ignore lint: a scheduler drives optimizers of any option type
export type AnyOptimizer = Optimizer<any>;

/**
 * The shared machinery: base lrs (each group's `initialLr`), the step counter, the initial step,
 * checkpoints. A subclass gives the recursive formula ({@link Scheduler.nextLrs}) and the closed
 * form, and reads its options from `this.options` (it must not declare fields: the constructor
 * takes the initial step before a subclass's fields would be set).
 */
export abstract class Scheduler<S extends object> implements LRScheduler {
  /** Name recorded in checkpoints ('stepLR', …); a getter in subclasses. */
  abstract readonly type: string;
  lastEpoch = -1;
  /** Each group's starting lr. */
  baseLrs: number[];
  lastLr: number[] = [];
  /** True only during the initial step the constructor takes. */
  protected initial = true;

  constructor(readonly optimizer: AnyOptimizer, protected readonly options: Readonly<S>) {
    this.baseLrs = optimizer.groups.map((g) => g.initialLr);
    this.step();
    this.initial = false;
  }

  step(): void {
    this.lastEpoch++;
    const groups = this.optimizer.groups as { options: BaseOptions }[];
    const lrs = this.nextLrs(groups.map((g) => g.options.lr));
    groups.forEach((g, i) => (g.options.lr = lrs[i]!));
    this.lastLr = lrs;
  }

  /** The lrs after step `lastEpoch`, from the current ones (PyTorch's `get_lr()`). */
  protected abstract nextLrs(current: readonly number[]): number[];

  /**
   * The closed form of the schedule at step `epoch` (default: the current step), one lr per group
   * (PyTorch's `_get_closed_form_lr()`). Equal to the recursive lrs up to rounding.
   */
  abstract closedForm(epoch?: number): number[];

  stateDict(): SchedulerState {
    return { type: this.type, lastEpoch: this.lastEpoch, baseLrs: this.baseLrs.map(encodeNumber), lastLr: this.lastLr.map(encodeNumber) };
  }

  /**
   * Restores the step count and base lrs (not the optimizer's lrs: those are in the optimizer's
   * state, as in PyTorch). Refuses a state of another scheduler type or group count.
   */
  loadStateDict(state: SchedulerState): void {
    const who = `${this.type}.loadStateDict()`;
    const raw: unknown = state;
    if (!isRecord(raw)) throw new TypeError(`${who}: expected the object stateDict() returns, got ${describe(raw)}`);
    if (raw.type !== this.type) throw new TypeError(`${who}: the state is for ${describe(raw.type)}, this scheduler is '${this.type}'`);
    if (typeof raw.lastEpoch !== 'number' || !Number.isSafeInteger(raw.lastEpoch) || raw.lastEpoch < 0) {
      throw new TypeError(`${who}: lastEpoch must be a non-negative integer, got ${describe(raw.lastEpoch)}`);
    }
    const n = this.optimizer.groups.length;
    const lists = (['baseLrs', 'lastLr'] as const).map((k) => {
      const v = raw[k];
      if (!Array.isArray(v) || v.length !== n) throw new RangeError(`${who}: ${k} must hold ${n} lrs (one per group), got ${describe(v)}`);
      return v.map((x, i) => decodeNumber(x, `${who}: ${k}[${i}]`));
    });
    this.lastEpoch = raw.lastEpoch;
    [this.baseLrs, this.lastLr] = lists as [number[], number[]];
  }
}

/** Python's `%` (the sign of the divisor), which the cosine schedule's period test relies on. */
export function pyMod(a: number, b: number): number {
  return ((a % b) + b) % b;
}
