import { type AnyOptimizer, Scheduler, pyMod } from './scheduler.js';

export interface CosineAnnealingLROptions {
  /** Steps from the initial lr down to `etaMin` (half a period). */
  tMax: number;
  /** The lowest lr (default 0). */
  etaMin?: number;
}

/**
 * Cosine annealing without restarts (PyTorch's `CosineAnnealingLR`):
 * η_t = η_min + ½(η₀ − η_min)(1 + cos(πt/T_max)); past T_max the cosine climbs back up.
 *
 * Recursive form, as PyTorch: η_t = η_min + (η_{t−1} − η_min)·(1 + cos(πt/T))/(1 + cos(π(t−1)/T)),
 * except at t − 1 − T ≡ 0 (mod 2T), where that ratio is 0/0 and the lr is lifted off η_min by
 * (η₀ − η_min)(1 − cos(π/T))/2.
 */
export class CosineAnnealingLR extends Scheduler<Required<CosineAnnealingLROptions>> {
  get type(): string {
    return 'cosineAnnealingLR';
  }

  protected nextLrs(current: readonly number[]): number[] {
    const { tMax, etaMin } = this.options;
    const t = this.lastEpoch;
    if (this.initial) return [...current];
    if (pyMod(t - 1 - tMax, 2 * tMax) === 0) {
      return current.map((lr, i) => lr + ((this.baseLrs[i]! - etaMin) * (1 - Math.cos(Math.PI / tMax))) / 2);
    }
    const ratio = (1 + Math.cos((Math.PI * t) / tMax)) / (1 + Math.cos((Math.PI * (t - 1)) / tMax));
    return current.map((lr) => ratio * (lr - etaMin) + etaMin);
  }

  closedForm(epoch = this.lastEpoch): number[] {
    const { tMax, etaMin } = this.options;
    return this.baseLrs.map((lr) => etaMin + ((lr - etaMin) * (1 + Math.cos((Math.PI * epoch) / tMax))) / 2);
  }
}

/**
 * Cosine annealing bound to an optimizer; call `step()` after each `optimizer.step()`.
 *
 * @example
 * const schedule = cosineAnnealingLR(opt, { tMax: 30, etaMin: 0.01 });
 * opt.step(params, grads); schedule.step();
 */
export function cosineAnnealingLR(optimizer: AnyOptimizer, options: CosineAnnealingLROptions): CosineAnnealingLR {
  const { tMax, etaMin = 0 } = options ?? ({} as CosineAnnealingLROptions);
  if (typeof tMax !== 'number' || !Number.isFinite(tMax) || tMax <= 0) throw new RangeError(`cosineAnnealingLR(): tMax must be a positive number, got ${String(tMax)}`);
  if (typeof etaMin !== 'number' || !Number.isFinite(etaMin)) throw new RangeError(`cosineAnnealingLR(): etaMin must be a finite number, got ${String(etaMin)}`);
  return new CosineAnnealingLR(optimizer, { tMax, etaMin });
}
