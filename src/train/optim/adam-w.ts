import { type AdamFactoryOptions, Adam, adamDefaults } from './adam.js';
import { withDefaults } from './check.js';

/**
 * AdamW (Loshchilov & Hutter) with PyTorch's `torch.optim.AdamW` rule: the weight decay is
 * decoupled from the gradient and scaled by the learning rate, θ ← θ·(1 − γλ), applied before the
 * Adam step, which then runs with no L2 term (PyTorch: `Adam(decoupled_weight_decay=True)`).
 *
 * NOTE: the default weight decay is 1e-2, not 0 as in Adam.
 */
export class AdamW extends Adam {
  override get type(): string {
    return 'adamw';
  }

  protected override get decoupled(): boolean {
    return true;
  }
}

/**
 * Creates an {@link AdamW} optimizer (PyTorch defaults: lr 1e-3, betas [0.9, 0.999], eps 1e-8,
 * weightDecay 1e-2).
 *
 * @example
 * const opt = adamW({ lr: 0.01, weightDecay: 0.1 });
 * opt.step(params, runSync(loss, { feed, wrt: params }).grads);
 */
export function adamW(options: AdamFactoryOptions = {}): AdamW {
  const { groups, ...rest } = options;
  return new AdamW(withDefaults('adamW()', adamDefaults(1e-2), rest), groups);
}
