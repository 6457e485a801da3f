import type { Tensor, TypedArray } from '../../index-core.js';
import { type BaseOptions, type GroupSpec, Optimizer, type ParamState, type StateSpec } from '../optimizer.js';
import { boolean, lerp, nonNegative, unitInterval, withDefaults } from './check.js';

export interface AdamOptions extends BaseOptions {
  /** Decay rates [β₁, β₂] of the first and second moment estimates (default [0.9, 0.999]). */
  betas: [number, number];
  /** Added to the denominator after the square root (default 1e-8). */
  eps: number;
  /** Weight decay λ: an L2 term in the gradient for Adam, decoupled for AdamW. */
  weightDecay: number;
  /** Use the running maximum of the second moment (AMSGrad; default false). */
  amsgrad: boolean;
  /** Ascend instead of descend (default false). */
  maximize: boolean;
}

/**
 * Adam with PyTorch's `torch.optim.Adam` rule, in PyTorch's operation order.
 *
 * Per step t (counted per parameter from 1), with gradient g (−g when maximizing):
 * g ← g + λθ; m ← m + (1 − β₁)(g − m); v ← β₂v + (1 − β₂)g²; (amsgrad: v_max ← max(v_max, v), used
 * for v below); denom = √v / √(1 − β₂ᵗ) + eps; θ ← θ − (γ / (1 − β₁ᵗ))·m / denom.
 *
 * NOTE: eps is added after dividing √v by √(1 − β₂ᵗ), as PyTorch does; writing √v̂ + eps with
 * v̂ = v/(1 − β₂ᵗ) is the same formula but rounds differently.
 */
export class Adam extends Optimizer<AdamOptions> {
  get type(): string {
    return 'adam';
  }

  /** AdamW's decoupled weight decay instead of the L2 term. */
  protected get decoupled(): boolean {
    return false;
  }

  protected override validate(o: AdamOptions, who = `${this.type}()`): void {
    nonNegative(who, 'lr', 'learning rate', o.lr);
    nonNegative(who, 'eps', 'epsilon value', o.eps);
    if (!Array.isArray(o.betas) || o.betas.length !== 2) throw new TypeError(`${who}: betas must be [beta1, beta2], got ${String(o.betas)}`);
    unitInterval(who, 'beta parameter at index 0', o.betas[0]);
    unitInterval(who, 'beta parameter at index 1', o.betas[1]);
    nonNegative(who, 'weightDecay', 'weight_decay value', o.weightDecay);
    boolean(who, 'amsgrad', o.amsgrad);
    boolean(who, 'maximize', o.maximize);
  }

  protected override stateSpec(o: AdamOptions): StateSpec {
    return { counters: ['step'], tensors: o.amsgrad ? ['expAvg', 'expAvgSq', 'maxExpAvgSq'] : ['expAvg', 'expAvgSq'] };
  }

  protected update(value: Tensor, grad: Tensor, o: AdamOptions, state: ParamState, out: TypedArray): void {
    // (betas by index: destructuring the pair made an array iterator per parameter per step.)
    const { lr, betas, eps, weightDecay: wd, amsgrad, maximize } = o;
    const beta1 = betas[0], beta2 = betas[1];
    const p = value.data, gd = grad.data, n = p.length;
    const step = ((state.step as number | undefined) ?? 0) + 1;
    const m = this.buffer(state, 'expAvg', value), v = this.buffer(state, 'expAvgSq', value);
    const vmax = amsgrad ? this.buffer(state, 'maxExpAvgSq', value) : null;
    const bc1 = 1 - beta1 ** step, bc2 = 1 - beta2 ** step;
    const stepSize = lr / bc1, bc2Sqrt = Math.sqrt(bc2);
    const decay = 1 - lr * wd;
    for (let i = 0; i < n; i++) {
      let g = maximize ? -gd[i]! : gd[i]!;
      let theta = p[i]!;
      if (wd !== 0) {
        if (this.decoupled) theta = theta * decay;
        else g = g + wd * theta;
      }
      m[i] = lerp(m[i]!, g, 1 - beta1);
      v[i] = v[i]! * beta2 + (1 - beta2) * g * g;
      let second = v[i]!;
      if (vmax !== null) {
        const prev = vmax[i]!;
        // torch.maximum propagates NaN from either side.
        vmax[i] = Number.isNaN(prev) || Number.isNaN(second) ? NaN : Math.max(prev, second);
        second = vmax[i]!;
      }
      const denom = Math.sqrt(second) / bc2Sqrt + eps;
      out[i] = theta + (-stepSize * m[i]!) / denom;
    }
    state.step = step;
  }

}

export type AdamFactoryOptions = Partial<AdamOptions> & { groups?: readonly GroupSpec<AdamOptions>[] };

/**
 * Creates an {@link Adam} optimizer (PyTorch defaults: lr 1e-3, betas [0.9, 0.999], eps 1e-8, no
 * weight decay, no amsgrad).
 *
 * @example
 * const opt = adam({ lr: 0.01 });
 * const { grads } = runSync(loss, { feed, wrt: params });
 * opt.step(params, grads);
 */
export function adam(options: AdamFactoryOptions = {}): Adam {
  const { groups, ...rest } = options;
  return new Adam(withDefaults<AdamOptions>('adam()', adamDefaults(0), rest), groups);
}

/** PyTorch's Adam/AdamW defaults, with the given weight decay. */
export function adamDefaults(weightDecay: number): AdamOptions {
  return { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay, amsgrad: false, maximize: false };
}
