import { type AnyOptimizer, Scheduler } from './scheduler.js';

export interface ExponentialLROptions {
  /** Factor applied at every step (no default, as in PyTorch). */
  gamma: number;
}

/**
 * Multiplies every group's lr by γ at every step: η_t = η₀·γᵗ (PyTorch's `ExponentialLR`).
 *
 * NOTE: PyTorch multiplies recursively, η_t = η_{t−1}·γ, which drifts from η₀·γᵗ by a few ulps;
 * `step()` does the same, {@link ExponentialLR.closedForm} gives the power.
 */
export class ExponentialLR extends Scheduler<ExponentialLROptions> {
  get type(): string {
    return 'exponentialLR';
  }

  protected nextLrs(current: readonly number[]): number[] {
    if (this.initial) return [...current];
    return current.map((lr) => lr * this.options.gamma);
  }

  closedForm(epoch = this.lastEpoch): number[] {
    return this.baseLrs.map((lr) => lr * this.options.gamma ** epoch);
  }
}

/**
 * Exponential decay bound to an optimizer; call `step()` after each `optimizer.step()`.
 *
 * @example
 * const schedule = exponentialLR(opt, { gamma: 0.9 });
 * opt.step(params, grads); schedule.step();
 */
export function exponentialLR(optimizer: AnyOptimizer, options: ExponentialLROptions): ExponentialLR {
  const gamma = options?.gamma;
  if (typeof gamma !== 'number' || !Number.isFinite(gamma)) throw new RangeError(`exponentialLR(): gamma must be a finite number, got ${String(gamma)}`);
  return new ExponentialLR(optimizer, { gamma });
}
