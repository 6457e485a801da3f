/**
 * Finite differences along one line through the input: φ(t) = f(x + t·d), where d is a unit vector
 * (one element) or a random direction (projection mode). A line evaluates the forward lazily at the
 * parameter values an estimator asks for and caches them; the estimators below combine the samples,
 * per output element (a projection vᵀ· is applied to the estimates, never to the samples, so no
 * cancellation enters through it).
 *
 * Every estimate comes with its round-off bound u·Σ|c_i|·|f(t_i)| / step (see `noise` in
 * GradcheckOptions), so that flat regions of large outputs do not fail on noise.
 */

/** The output at one parameter value. */
export interface Sample {
  /** f(x + t·d), every output element, in float64. */
  y: Float64Array;
  /** The displacement actually applied (element lines: exact, after rounding to the dtype). */
  t: number;
}

/** Why a line could not be evaluated at some t. */
export interface LineFailure {
  failed: true;
  t: number;
  kind: 'threw' | 'shape' | 'step';
  message: string;
}

export type Evaluate = (t: number) => Sample | LineFailure;

export function isFailure(s: Sample | LineFailure): s is LineFailure {
  return (s as LineFailure).failed === true;
}

/** An estimate per compared output, with its round-off bound (before the noise factor). */
export interface Estimate {
  value: Float64Array;
  noise: Float64Array;
}

export class Line {
  private readonly cache = new Map<number, Sample>();
  private readonly failed = new Map<number, LineFailure>();
  /** The first evaluation that failed, for messages. */
  failure: LineFailure | null = null;

  constructor(
    private readonly evaluate: Evaluate,
    /** The sample at t = 0 (the unperturbed output, already known). */
    readonly origin: Sample,
    /** The base step: central uses ±s, richardson ±s/2 and ±s. */
    readonly s: number,
    /** Unit round-off of the output dtype. */
    private readonly u: number,
  ) {
    this.cache.set(0, origin);
  }

  /** The sample at t (evaluated once), or null when the forward failed there. */
  at(t: number): Sample | null {
    const hit = this.cache.get(t);
    if (hit) return hit;
    if (this.failed.has(t)) return null;
    const r = this.evaluate(t);
    if (isFailure(r)) {
      this.failed.set(t, r);
      this.failure ??= r;
      return null;
    }
    this.cache.set(t, r);
    return r;
  }

  /** Central difference at ±h. */
  central(h: number): Estimate | null {
    const p = this.at(h), m = this.at(-h);
    if (!p || !m) return null;
    const dt = p.t - m.t;
    if (!(dt > 0)) {
      this.failure ??= { failed: true, t: h, kind: 'step', message: `step ${h} vanishes: x + h and x − h round to the same value` };
      return null;
    }
    const n = p.y.length;
    const value = new Float64Array(n), noise = new Float64Array(n);
    for (let k = 0; k < n; k++) {
      const a = p.y[k]!, b = m.y[k]!;
      value[k] = (a - b) / dt;
      // NOTE: an output that did not move still carries one rounding: its true change may be below it.
      noise[k] = (this.u * (Math.abs(a) + Math.abs(b))) / dt;
    }
    return { value, noise };
  }

  /** 5-point stencil as Richardson extrapolation: (4·D(h/2) − D(h)) / 3. */
  fivePoint(h: number): Estimate | null {
    const half = this.central(h / 2), full = this.central(h);
    return half && full ? combine(half, full, 4) : null;
  }

  /** The method's estimate at step h. */
  estimate(method: 'central' | 'richardson', h: number): Estimate | null {
    return method === 'central' ? this.central(h) : this.fivePoint(h);
  }

  /** The method's estimate improved by one Richardson step with half the step. */
  refined(method: 'central' | 'richardson', h: number): Estimate | null {
    const half = this.estimate(method, h / 2), full = this.estimate(method, h);
    return half && full ? combine(half, full, method === 'central' ? 4 : 16) : null;
  }

  /**
   * One-sided derivatives of second order from t = 0, ±h/2, ±h:
   * right (−3φ(0) + 4φ(h/2) − φ(h)) / h, left (3φ(0) − 4φ(−h/2) + φ(−h)) / h.
   * Both equal φ'(0) − h²φ'''(0)/12 + O(h³) when φ is smooth, so they differ only at a kink.
   */
  oneSided(h: number): { left: Estimate; right: Estimate } | null {
    const o = this.origin, p1 = this.at(h / 2), p2 = this.at(h), m1 = this.at(-h / 2), m2 = this.at(-h);
    if (!p1 || !p2 || !m1 || !m2) return null;
    const n = o.y.length;
    const right = { value: new Float64Array(n), noise: new Float64Array(n) };
    const left = { value: new Float64Array(n), noise: new Float64Array(n) };
    const dr = p2.t - o.t, dl = o.t - m2.t;
    for (let k = 0; k < n; k++) {
      right.value[k] = (-3 * o.y[k]! + 4 * p1.y[k]! - p2.y[k]!) / dr;
      left.value[k] = (3 * o.y[k]! - 4 * m1.y[k]! + m2.y[k]!) / dl;
      right.noise[k] = (this.u * (3 * Math.abs(o.y[k]!) + 4 * Math.abs(p1.y[k]!) + Math.abs(p2.y[k]!))) / dr;
      left.noise[k] = (this.u * (3 * Math.abs(o.y[k]!) + 4 * Math.abs(m1.y[k]!) + Math.abs(m2.y[k]!))) / dl;
    }
    return { left, right };
  }
}

/** Richardson combination (r·fine − coarse) / (r − 1), noise bounded by (r·|fine| + |coarse|)/(r − 1). */
function combine(fine: Estimate, coarse: Estimate, r: number): Estimate {
  const n = fine.value.length;
  const value = new Float64Array(n), noise = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    value[k] = (r * fine.value[k]! - coarse.value[k]!) / (r - 1);
    noise[k] = (r * fine.noise[k]! + coarse.noise[k]!) / (r - 1);
  }
  return { value, noise };
}
