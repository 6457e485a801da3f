import { type AnyOptimizer, Scheduler } from './scheduler.js';

export interface LinearLROptions {
  /** Factor of the initial lr at step 0, in (0, 1] (default 1/3). */
  startFactor?: number;
  /** Factor reached at step `totalIters`, in [0, 1] (default 1). */
  endFactor?: number;
  /** Steps over which the factor moves (default 5). */
  totalIters?: number;
}

/**
 * Moves every group's lr linearly from η₀·start to η₀·end over `totalIters` steps, then holds it
 * (PyTorch's `LinearLR`; a warm-up with the defaults): η_t = η₀·(s + (e − s)·min(t, T)/T).
 *
 * Recursive form, as PyTorch: η_0 = η·s; η_t = η_{t−1}·(1 + (e − s)/(T·s + (t − 1)(e − s))) for
 * 0 < t ≤ T; unchanged after.
 */
export class LinearLR extends Scheduler<Required<LinearLROptions>> {
  get type(): string {
    return 'linearLR';
  }

  protected nextLrs(current: readonly number[]): number[] {
    const { startFactor: s, endFactor: e, totalIters: T } = this.options;
    const t = this.lastEpoch;
    if (t === 0) return current.map((lr) => lr * s);
    if (this.initial || t > T) return [...current];
    const factor = 1 + (e - s) / (T * s + (t - 1) * (e - s));
    return current.map((lr) => lr * factor);
  }

  closedForm(epoch = this.lastEpoch): number[] {
    const { startFactor: s, endFactor: e, totalIters: T } = this.options;
    return this.baseLrs.map((lr) => lr * (s + ((e - s) * Math.min(T, epoch)) / T));
  }
}

/**
 * A linear warm-up (or decay) bound to an optimizer; call `step()` after each `optimizer.step()`.
 * The constructor already scales the lrs by `startFactor`.
 *
 * @example
 * const opt = sgd({ lr: 0.05 });
 * const warmup = linearLR(opt, { startFactor: 0.5, totalIters: 4 });   // 0.025, 0.03125, …, 0.05
 * opt.step(params, grads); warmup.step();
 */
export function linearLR(optimizer: AnyOptimizer, options: LinearLROptions = {}): LinearLR {
  const { startFactor = 1 / 3, endFactor = 1, totalIters = 5 } = options;
  if (!(startFactor > 0 && startFactor <= 1)) {
    throw new RangeError(`linearLR(): Starting multiplicative factor expected to be greater than 0 and less or equal to 1 (startFactor ${startFactor})`);
  }
  if (!(endFactor >= 0 && endFactor <= 1)) throw new RangeError(`linearLR(): Ending multiplicative factor expected to be between 0 and 1 (endFactor ${endFactor})`);
  if (!Number.isSafeInteger(totalIters) || totalIters <= 0) throw new RangeError(`linearLR(): totalIters must be a positive integer, got ${String(totalIters)}`);
  return new LinearLR(optimizer, { startFactor, endFactor, totalIters });
}
