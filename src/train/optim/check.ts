/**
 * Option checks shared by the optimizers. Messages follow PyTorch's ("Invalid learning rate: -1"),
 * prefixed with the optimizer and the group, and name the option as rxgrad spells it.
 */

/**
 * A number ≥ 0 (NaN refused): lr, eps, weightDecay, momentum, … `label` is PyTorch's wording
 * ('learning rate', 'momentum value').
 */
export function nonNegative(who: string, name: string, label: string, v: unknown): void {
  if (typeof v !== 'number') throw new TypeError(`${who}: ${name} must be a number, got ${typeof v}`);
  if (!(v >= 0)) throw new RangeError(`${who}: Invalid ${label}: ${v} (${name} must be ≥ 0)`);
}

/** A number in [0, 1) (betas). */
export function unitInterval(who: string, name: string, v: unknown): void {
  if (typeof v !== 'number') throw new TypeError(`${who}: ${name} must be a number, got ${typeof v}`);
  if (!(v >= 0 && v < 1)) throw new RangeError(`${who}: Invalid ${name}: ${v} (must be in [0, 1))`);
}

export function finite(who: string, name: string, v: unknown): void {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new RangeError(`${who}: ${name} must be a finite number, got ${String(v)}`);
}

export function boolean(who: string, name: string, v: unknown): void {
  if (typeof v !== 'boolean') throw new TypeError(`${who}: ${name} must be true or false, got ${String(v)}`);
}

/** PyTorch's lerp: `a + w·(b − a)` for |w| < 0.5, else `b − (b − a)·(1 − w)` (exact at both ends). */
export function lerp(a: number, b: number, w: number): number {
  return Math.abs(w) < 0.5 ? a + w * (b - a) : b - (b - a) * (1 - w);
}

/** The defaults overridden by the options given; an option the optimizer does not know is an error (a typo). */
export function withDefaults<O extends object>(who: string, defaults: O, given: Partial<O>): O {
  for (const key of Object.keys(given)) {
    if (!Object.hasOwn(defaults, key)) throw new TypeError(`${who}: unknown option '${key}' (known: ${Object.keys(defaults).join(', ')}, groups)`);
  }
  const out = { ...defaults };
  for (const [k, v] of Object.entries(given)) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
}
