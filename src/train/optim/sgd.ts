import type { Tensor, TypedArray } from '../../index-core.js';
import { type BaseOptions, type GroupSpec, Optimizer, type ParamState, type StateSpec } from '../optimizer.js';
import { boolean, finite, nonNegative, withDefaults } from './check.js';

export interface SgdOptions extends BaseOptions {
  /** Momentum factor μ (default 0: plain SGD). */
  momentum: number;
  /** Dampening τ of the momentum (default 0). */
  dampening: number;
  /** L2 penalty λ, added to the gradient (default 0). */
  weightDecay: number;
  /** Nesterov momentum (default false; needs momentum > 0 and dampening 0). */
  nesterov: boolean;
  /** Ascend instead of descend (default false). */
  maximize: boolean;
}

/**
 * Stochastic gradient descent with PyTorch's `torch.optim.SGD` rule, in PyTorch's operation order
 * (float64 trajectories agree to the last bits).
 *
 * Per step, for each parameter θ with gradient g (−g when maximizing):
 * g ← g + λθ; if μ ≠ 0: b ← g on the first step, else b ← μ·b + (1 − τ)·g; then g ← g + μ·b
 * (nesterov) or g ← b; finally θ ← θ − γ·g.
 *
 * NOTE: the learning rate multiplies the velocity at use (PyTorch's form), not inside it as in
 * Sutskever et al.; changing lr mid-run (a scheduler) therefore rescales past momentum too.
 */
export class SGD extends Optimizer<SgdOptions> {
  get type(): string {
    return 'sgd';
  }

  protected override validate(o: SgdOptions, who = 'sgd()'): void {
    nonNegative(who, 'lr', 'learning rate', o.lr);
    nonNegative(who, 'momentum', 'momentum value', o.momentum);
    finite(who, 'dampening', o.dampening);
    nonNegative(who, 'weightDecay', 'weight_decay value', o.weightDecay);
    boolean(who, 'nesterov', o.nesterov);
    boolean(who, 'maximize', o.maximize);
    if (o.nesterov && (o.momentum <= 0 || o.dampening !== 0)) {
      throw new RangeError(`${who}: Nesterov momentum requires a momentum and zero dampening (momentum ${o.momentum}, dampening ${o.dampening})`);
    }
  }

  protected override stateSpec(o: SgdOptions): StateSpec {
    return { tensors: o.momentum !== 0 ? ['momentumBuffer'] : [], counters: [] };
  }

  protected update(value: Tensor, grad: Tensor, o: SgdOptions, state: ParamState, out: TypedArray): void {
    const { lr, momentum, dampening, weightDecay: wd, nesterov, maximize } = o;
    const p = value.data, gd = grad.data, n = p.length;
    if (momentum === 0 && wd === 0 && !maximize) {
      // Plain SGD, the common online case: one fused loop, four elements per pass (each element's
      // arithmetic is unchanged, so are the bits; 25% faster at the sizes of online learning, about
      // 1.2 → 0.9 ns per element: fewer loop tests and bounds checks per element).
      const step = -lr, end = n - (n & 3);
      let i = 0;
      for (; i < end; i += 4) {
        const a = p[i]! + step * gd[i]!, b = p[i + 1]! + step * gd[i + 1]!;
        const c = p[i + 2]! + step * gd[i + 2]!, d = p[i + 3]! + step * gd[i + 3]!;
        // Read before writing: out may be p itself (in place).
        out[i] = a;
        out[i + 1] = b;
        out[i + 2] = c;
        out[i + 3] = d;
      }
      for (; i < n; i++) out[i] = p[i]! + step * gd[i]!;
      return;
    }
    // PyTorch starts the momentum buffer at the first gradient itself (no dampening on step 1).
    const first = momentum !== 0 && state.momentumBuffer === undefined;
    const buf = momentum !== 0 ? this.buffer(state, 'momentumBuffer', value) : null;
    for (let i = 0; i < n; i++) {
      let g = maximize ? -gd[i]! : gd[i]!;
      if (wd !== 0) g = g + wd * p[i]!;
      if (buf !== null) {
        const b = first ? g : buf[i]! * momentum + (1 - dampening) * g;
        buf[i] = b;
        g = nesterov ? g + momentum * b : b;
      }
      out[i] = p[i]! + -lr * g;
    }
  }

}

/**
 * Creates an {@link SGD} optimizer. `lr` is required; `groups` give some parameters options of their
 * own (every other parameter uses the options given here).
 *
 * @example
 * const opt = sgd({ lr: 0.1, momentum: 0.9, groups: [{ params: [b1, b2], lr: 0.3 }] });
 * const { grads } = runSync(loss, { feed, wrt: params });
 * opt.step(params, grads);
 */
export function sgd(options: Partial<SgdOptions> & { lr: number; groups?: readonly GroupSpec<SgdOptions>[] }): SGD {
  if (options?.lr === undefined) throw new TypeError('sgd(): lr is required');
  const { groups, ...rest } = options;
  return new SGD(withDefaults<SgdOptions>('sgd()', { lr: rest.lr, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, maximize: false }, rest), groups);
}
