/**
 * Online feature standardisation with River's `preprocessing.StandardScaler` semantics and digits.
 */
import { allocateFresh } from '../tensor/dtype.js';

export interface StandardScalerState {
  type: 'standardScaler';
  /** Samples learned. */
  n: number;
  /** Per feature, running mean; null before the first `learn` fixes the feature count. */
  mean: number[] | null;
  /** Per feature, running population variance. */
  variance: number[] | null;
}

function badState(why: string): TypeError {
  return new TypeError(`StandardScaler: cannot load state: ${why}`);
}

/**
 * Running mean and population variance per feature (Welford), updated in exactly River's order
 * (`river/preprocessing/scale.py`), for each feature i:
 *
 *   n ← n + 1;  μ_old = μᵢ;  μᵢ ← μᵢ + (xᵢ − μ_old)/n;  σ²ᵢ ← σ²ᵢ + ((xᵢ − μ_old)(xᵢ − μᵢ) − σ²ᵢ)/n
 *
 * and `transform` gives (xᵢ − μᵢ)/√σ²ᵢ, or 0 where σ²ᵢ = 0 — so a feature's first sample maps to 0,
 * and so does everything before the first `learn` (μ = 0, σ² = 0, as in River).
 *
 * River's pipeline order matters for its published numbers: `predict` only transforms; `learn`
 * updates the statistics first and then transforms with them.
 *
 * The feature count is fixed by the first `learn` (or by `features`). Every value is checked: NaN
 * and ±∞ are refused with an error naming the feature index, and a step whose statistics would
 * overflow float64 is refused, so the state is always finite (and exact through JSON).
 *
 * @example
 * const s = new StandardScaler();
 * s.learn([1, 10]);
 * s.transform([1, 10]);   // Float64Array [0, 0]  (σ² = 0: a first sample maps to 0)
 * s.learn([3, 10]);
 * s.transform([3, 10]);   // Float64Array [1, 0]  (μ = 2, σ² = 1; the second feature is constant)
 * s.inverseTransform([1, 0.5]); // Float64Array [3, 10.5]
 */
export class StandardScaler {
  private n = 0;
  private mu: Float64Array | null = null;
  private sigma2: Float64Array | null = null;
  /** Buffers the next statistics are computed into (then swapped with the current ones). */
  private spareMu: Float64Array | null = null;
  private spareSigma2: Float64Array | null = null;
  /** The feature count given to the constructor, if any: `reset` keeps it and `load` enforces it. */
  private readonly fixed: number | null;

  /** @param options.features fixes the feature count up front (otherwise the first `learn` does). */
  constructor(options: { features?: number } = {}) {
    const k = options.features ?? null;
    if (k !== null && (!Number.isSafeInteger(k) || k < 1)) throw new RangeError(`StandardScaler: features must be a positive integer, got ${k}`);
    this.fixed = k;
    this.reset();
  }

  /** Samples learned so far. */
  get count(): number {
    return this.n;
  }

  /** The feature count, or null before it is fixed. */
  get features(): number | null {
    return this.mu === null ? null : this.mu.length;
  }

  /** A copy of the running means (empty before the feature count is fixed). */
  get mean(): Float64Array {
    return this.mu === null ? new Float64Array(0) : this.mu.slice();
  }

  /** A copy of the running population variances (empty before the feature count is fixed). */
  get variance(): Float64Array {
    return this.sigma2 === null ? new Float64Array(0) : this.sigma2.slice();
  }

  /** Checks a sample's length against the feature count and every value for finiteness. */
  private check(method: string, x: ArrayLike<number>): void {
    if (typeof x !== 'object' || x === null || typeof x.length !== 'number') {
      throw new TypeError(`StandardScaler.${method}: expected an array of numbers, got ${typeof x}`);
    }
    if (this.mu !== null && x.length !== this.mu.length) {
      throw new RangeError(`StandardScaler.${method}: expected ${this.mu.length} features, got ${x.length}`);
    }
    if (x.length === 0) throw new RangeError(`StandardScaler.${method}: a sample needs at least one feature`);
    for (let i = 0; i < x.length; i++) {
      const v = x[i];
      if (typeof v !== 'number') throw new TypeError(`StandardScaler.${method}: feature ${i} is not a number (${typeof v})`);
      if (!Number.isFinite(v)) throw new RangeError(`StandardScaler.${method}: feature ${i} is ${v}; values must be finite`);
    }
  }

  /** Updates the statistics with one sample (all or nothing: a refused sample changes nothing). */
  learn(x: ArrayLike<number>): void {
    this.check('learn', x);
    const k = x.length;
    const mu = this.mu ?? new Float64Array(k);
    const sigma2 = this.sigma2 ?? new Float64Array(k);
    // The next statistics go into spare buffers that are swapped in only when every feature is
    // fine: no allocation per sample, and a refused sample still changes nothing.
    if (this.spareMu === null || this.spareMu.length !== k) {
      this.spareMu = new Float64Array(k);
      this.spareSigma2 = new Float64Array(k);
    }
    const nextMu = this.spareMu, nextSigma2 = this.spareSigma2!;
    const n = this.n + 1;
    for (let i = 0; i < k; i++) {
      const xi = x[i]!;
      const old = mu[i]!;
      const m = old + (xi - old) / n;
      const v = sigma2[i]! + ((xi - old) * (xi - m) - sigma2[i]!) / n;
      if (!Number.isFinite(m) || !Number.isFinite(v)) {
        throw new RangeError(`StandardScaler.learn: feature ${i} = ${xi} overflows the running statistics`);
      }
      nextMu[i] = m;
      nextSigma2[i] = v;
    }
    this.n = n;
    this.spareMu = mu;
    this.spareSigma2 = sigma2;
    this.mu = nextMu;
    this.sigma2 = nextSigma2;
  }

  /**
   * (xᵢ − μᵢ)/√σ²ᵢ per feature, 0 where σ²ᵢ = 0 (River's `transform_one`). A fresh array, which
   * for small rows is a view on shared storage (see allocateFresh): use the array, not its `buffer`.
   */
  transform(x: ArrayLike<number>): Float64Array {
    const out = allocateFresh('float64', x.length) as Float64Array;
    this.transformInto(x, out, 0);
    return out;
  }

  /** {@link transform} written into `out` from `offset`, without allocating (for graph nodes). */
  transformInto(x: ArrayLike<number>, out: { [i: number]: number }, offset: number): void {
    this.check('transform', x);
    const mu = this.mu, sigma2 = this.sigma2;
    for (let i = 0; i < x.length; i++) {
      const s2 = sigma2 === null ? 0 : sigma2[i]!;
      out[offset + i] = s2 === 0 ? 0 : (x[i]! - mu![i]!) / Math.sqrt(s2);
    }
  }

  /**
   * zᵢ·σᵢ + μᵢ per feature: maps standardised values back (a target scaler's predictions).
   *
   * NOTE: where σ²ᵢ = 0 the scale is taken as σᵢ = 1, giving zᵢ + μᵢ. Multiplying by 0 would throw
   * the model's output away while the scale is unknown. With σ = 1 the forward map of any value
   * already learned is unchanged — σ² = 0 means every learned value equals μ, so (x − μ)/1 = 0, the
   * 0 that `transform` gives — and `inverseTransform(transform(x)) = x` holds for every learned x;
   * for a value never learned, `transform` still gives River's 0 there (and the round trip gives μ).
   * Like `transform`, it returns a fresh array that may be a view on shared storage.
   */
  inverseTransform(z: ArrayLike<number>): Float64Array {
    const out = allocateFresh('float64', z.length) as Float64Array;
    this.inverseTransformInto(z, out, 0);
    return out;
  }

  /** {@link inverseTransform} written into `out` from `offset`, without allocating (for graph nodes). */
  inverseTransformInto(z: ArrayLike<number>, out: { [i: number]: number }, offset: number): void {
    this.check('inverseTransform', z);
    for (let i = 0; i < z.length; i++) out[offset + i] = z[i]! * this.scaleAt(i) + (this.mu?.[i] ?? 0);
  }

  /** σᵢ as {@link inverseTransform} uses it: √σ²ᵢ, or 1 while σ²ᵢ = 0 (and before any data). */
  scaleAt(i: number): number {
    const s2 = this.sigma2?.[i] ?? 0;
    return s2 === 0 ? 1 : Math.sqrt(s2);
  }

  /** Forgets everything learned (a feature count given to the constructor stays). */
  reset(): void {
    this.n = 0;
    this.mu = this.fixed === null ? null : new Float64Array(this.fixed);
    this.sigma2 = this.fixed === null ? null : new Float64Array(this.fixed);
  }

  /** A plain-JSON snapshot; `load(state())` restores the scaler to the bit. */
  state(): StandardScalerState {
    return {
      type: 'standardScaler',
      n: this.n,
      mean: this.mu === null ? null : Array.from(this.mu),
      variance: this.sigma2 === null ? null : Array.from(this.sigma2),
    };
  }

  /** Restores a snapshot from `state()`; checks it fully before changing anything. */
  load(state: unknown): void {
    if (typeof state !== 'object' || state === null || Array.isArray(state)) throw badState('not an object');
    const s = state as Record<string, unknown>;
    if (s['type'] !== 'standardScaler') throw badState(`it is the state of ${JSON.stringify(s['type'])}, not "standardScaler"`);
    const n = s['n'];
    if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) throw badState(`n must be a count, got ${JSON.stringify(n)}`);
    const read = (key: 'mean' | 'variance'): Float64Array | null => {
      const v = s[key];
      if (v === null) return null;
      if (!Array.isArray(v) || v.length === 0) throw badState(`${key} must be null or a non-empty array of numbers`);
      const out = new Float64Array(v.length);
      for (let i = 0; i < v.length; i++) {
        const e: unknown = v[i];
        if (typeof e !== 'number' || !Number.isFinite(e) || (key === 'variance' && e < 0)) {
          throw badState(`${key}[${i}] = ${JSON.stringify(e)} is not a finite${key === 'variance' ? ', non-negative' : ''} number`);
        }
        out[i] = e;
      }
      return out;
    };
    const mean = read('mean');
    const variance = read('variance');
    if ((mean === null) !== (variance === null) || (mean !== null && mean.length !== variance!.length)) {
      throw badState('mean and variance must have one entry per feature each');
    }
    if (mean === null && n > 0) throw badState(`n is ${n} but there are no statistics`);
    if (this.fixed !== null && mean !== null && mean.length !== this.fixed) {
      throw badState(`it has ${mean.length} features, this scaler ${this.fixed}`);
    }
    this.n = n;
    this.mu = mean ?? (this.fixed === null ? null : new Float64Array(this.fixed));
    this.sigma2 = variance ?? (this.fixed === null ? null : new Float64Array(this.fixed));
  }
}
