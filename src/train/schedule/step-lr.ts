import { type AnyOptimizer, Scheduler } from './scheduler.js';

export interface StepLROptions {
  /** Steps between decays (a positive integer). */
  stepSize: number;
  /** Factor applied every `stepSize` steps (default 0.1). */
  gamma?: number;
}

/**
 * Multiplies every group's lr by γ every `stepSize` steps: η_t = η₀·γ^⌊t/stepSize⌋ (PyTorch's
 * `StepLR`, computed recursively as PyTorch does).
 */
export class StepLR extends Scheduler<Required<StepLROptions>> {
  get type(): string {
    return 'stepLR';
  }

  protected nextLrs(current: readonly number[]): number[] {
    const { stepSize, gamma } = this.options;
    if (this.lastEpoch === 0 || this.lastEpoch % stepSize !== 0) return [...current];
    return current.map((lr) => lr * gamma);
  }

  closedForm(epoch = this.lastEpoch): number[] {
    const { stepSize, gamma } = this.options;
    return this.baseLrs.map((lr) => lr * gamma ** Math.floor(epoch / stepSize));
  }
}

/**
 * Step decay bound to an optimizer; call `step()` after each `optimizer.step()`.
 *
 * @example
 * const opt = sgd({ lr: 0.2 });
 * const schedule = stepLR(opt, { stepSize: 5, gamma: 0.5 });   // 0.2 ×5, 0.1 ×5, 0.05 …
 * opt.step(params, grads); schedule.step();
 */
export function stepLR(optimizer: AnyOptimizer, options: StepLROptions): StepLR {
  const { stepSize, gamma = 0.1 } = options ?? ({} as StepLROptions);
  if (!Number.isSafeInteger(stepSize) || stepSize <= 0) throw new RangeError(`stepLR(): stepSize must be a positive integer, got ${String(stepSize)}`);
  if (typeof gamma !== 'number' || !Number.isFinite(gamma)) throw new RangeError(`stepLR(): gamma must be a finite number, got ${String(gamma)}`);
  return new StepLR(optimizer, { stepSize, gamma });
}
