import type { Tensor, TypedArray } from '../../index-core.js';
import { type BaseOptions, type GroupSpec, Optimizer, type ParamState, type StateSpec } from '../optimizer.js';
import { boolean, nonNegative, withDefaults } from './check.js';

export interface AdagradOptions extends BaseOptions {
  /** Learning-rate decay: step t uses γ/(1 + (t − 1)·lrDecay) (default 0). */
  lrDecay: number;
  /** L2 penalty λ, added to the gradient (default 0). */
  weightDecay: number;
  /** Starting value of the sum of squared gradients (default 0). */
  initialAccumulatorValue: number;
  /** Added to the denominator after the square root (default 1e-10). */
  eps: number;
  /** Ascend instead of descend (default false). */
  maximize: boolean;
}

/**
 * Adagrad with PyTorch's `torch.optim.Adagrad` rule, in PyTorch's operation order.
 *
 * Per step t (counted per parameter from 1), with gradient g (−g when maximizing): g ← g + λθ;
 * γ̃ = γ/(1 + (t − 1)·lrDecay); s ← s + g² (s₀ = initialAccumulatorValue); θ ← θ − γ̃·g/(√s + eps).
 */
export class Adagrad extends Optimizer<AdagradOptions> {
  get type(): string {
    return 'adagrad';
  }

  protected override validate(o: AdagradOptions, who = 'adagrad()'): void {
    nonNegative(who, 'lr', 'learning rate', o.lr);
    nonNegative(who, 'lrDecay', 'lr_decay value', o.lrDecay);
    nonNegative(who, 'weightDecay', 'weight_decay value', o.weightDecay);
    nonNegative(who, 'initialAccumulatorValue', 'initial_accumulator_value value', o.initialAccumulatorValue);
    nonNegative(who, 'eps', 'epsilon value', o.eps);
    boolean(who, 'maximize', o.maximize);
  }

  protected override stateSpec(): StateSpec {
    return { counters: ['step'], tensors: ['sum'] };
  }

  protected update(value: Tensor, grad: Tensor, o: AdagradOptions, state: ParamState, out: TypedArray): void {
    const { lr, lrDecay, weightDecay: wd, initialAccumulatorValue, eps, maximize } = o;
    const p = value.data, gd = grad.data, n = p.length;
    const step = ((state.step as number | undefined) ?? 0) + 1;
    const s = this.buffer(state, 'sum', value, initialAccumulatorValue);
    const clr = lr / (1 + (step - 1) * lrDecay);
    for (let i = 0; i < n; i++) {
      let g = maximize ? -gd[i]! : gd[i]!;
      if (wd !== 0) g = g + wd * p[i]!;
      s[i] = s[i]! + g * g;
      const std = Math.sqrt(s[i]!) + eps;
      out[i] = p[i]! + (-clr * g) / std;
    }
    state.step = step;
  }

}

/**
 * Creates an {@link Adagrad} optimizer (PyTorch defaults: lr 1e-2, no decay, accumulator starting
 * at 0, eps 1e-10).
 *
 * @example
 * const opt = adagrad({ lr: 0.1, initialAccumulatorValue: 0.1 });
 * opt.step(params, runSync(loss, { feed, wrt: params }).grads);
 */
export function adagrad(options: Partial<AdagradOptions> & { groups?: readonly GroupSpec<AdagradOptions>[] } = {}): Adagrad {
  const { groups, ...rest } = options;
  const defaults: AdagradOptions = { lr: 1e-2, lrDecay: 0, weightDecay: 0, initialAccumulatorValue: 0, eps: 1e-10, maximize: false };
  return new Adagrad(withDefaults('adagrad()', defaults, rest), groups);
}
