import type { Tensor, TypedArray } from '../../index-core.js';
import { type BaseOptions, type GroupSpec, Optimizer, type ParamState, type StateSpec } from '../optimizer.js';
import { boolean, lerp, nonNegative, withDefaults } from './check.js';

export interface RmspropOptions extends BaseOptions {
  /** Smoothing constant α of the squared-gradient average (default 0.99). */
  alpha: number;
  /** Added to the denominator after the square root (default 1e-8). */
  eps: number;
  /** L2 penalty λ, added to the gradient (default 0). */
  weightDecay: number;
  /** Momentum factor μ (default 0). */
  momentum: number;
  /** Normalise by the estimated variance instead of the raw second moment (default false). */
  centered: boolean;
  /** Ascend instead of descend (default false). */
  maximize: boolean;
}

/**
 * RMSprop with PyTorch's `torch.optim.RMSprop` rule, in PyTorch's operation order.
 *
 * Per step, with gradient g (−g when maximizing): g ← g + λθ; v ← αv + (1 − α)g²; centered:
 * ḡ ← ḡ + (1 − α)(g − ḡ) and d = √(v − ḡ²) + eps, else d = √v + eps; with μ > 0:
 * b ← μb + g/d, θ ← θ − γb; else θ ← θ − γ·g/d.
 *
 * NOTE: eps is added after the square root (PyTorch); TensorFlow adds it inside.
 */
export class RMSprop extends Optimizer<RmspropOptions> {
  get type(): string {
    return 'rmsprop';
  }

  protected override validate(o: RmspropOptions, who = 'rmsprop()'): void {
    nonNegative(who, 'lr', 'learning rate', o.lr);
    nonNegative(who, 'eps', 'epsilon value', o.eps);
    nonNegative(who, 'momentum', 'momentum value', o.momentum);
    nonNegative(who, 'weightDecay', 'weight_decay value', o.weightDecay);
    nonNegative(who, 'alpha', 'alpha value', o.alpha);
    boolean(who, 'centered', o.centered);
    boolean(who, 'maximize', o.maximize);
  }

  protected override stateSpec(o: RmspropOptions): StateSpec {
    const tensors = ['squareAvg'];
    if (o.momentum > 0) tensors.push('momentumBuffer');
    if (o.centered) tensors.push('gradAvg');
    return { counters: ['step'], tensors };
  }

  protected update(value: Tensor, grad: Tensor, o: RmspropOptions, state: ParamState, out: TypedArray): void {
    const { lr, alpha, eps, weightDecay: wd, momentum, centered, maximize } = o;
    const p = value.data, gd = grad.data, n = p.length;
    const sq = this.buffer(state, 'squareAvg', value);
    const buf = momentum > 0 ? this.buffer(state, 'momentumBuffer', value) : null;
    const ga = centered ? this.buffer(state, 'gradAvg', value) : null;
    for (let i = 0; i < n; i++) {
      let g = maximize ? -gd[i]! : gd[i]!;
      if (wd !== 0) g = g + wd * p[i]!;
      sq[i] = sq[i]! * alpha + (1 - alpha) * g * g;
      let avg: number;
      if (ga !== null) {
        ga[i] = lerp(ga[i]!, g, 1 - alpha);
        avg = Math.sqrt(sq[i]! + -1 * ga[i]! * ga[i]!);
      } else {
        avg = Math.sqrt(sq[i]!);
      }
      avg = avg + eps;
      if (buf !== null) {
        buf[i] = buf[i]! * momentum + g / avg;
        out[i] = p[i]! + -lr * buf[i]!;
      } else {
        out[i] = p[i]! + (-lr * g) / avg;
      }
    }
    state.step = ((state.step as number | undefined) ?? 0) + 1;
  }

}

/**
 * Creates an {@link RMSprop} optimizer (PyTorch defaults: lr 1e-2, alpha 0.99, eps 1e-8, no
 * momentum, not centered).
 *
 * @example
 * const opt = rmsprop({ lr: 0.01, momentum: 0.9, centered: true });
 * opt.step(params, runSync(loss, { feed, wrt: params }).grads);
 */
export function rmsprop(options: Partial<RmspropOptions> & { groups?: readonly GroupSpec<RmspropOptions>[] } = {}): RMSprop {
  const { groups, ...rest } = options;
  const defaults: RmspropOptions = { lr: 1e-2, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0, centered: false, maximize: false };
  return new RMSprop(withDefaults('rmsprop()', defaults, rest), groups);
}
