import fc from 'fast-check';
import { type DType, type Shape, Tensor, allocate } from '../tensor/index.js';
import { asShapeArb, float32Within } from './tensor-arb.js';

/**
 * Where an op's inputs live: `'real'` [−9, 9]; `'positive'` [0.01, 9] (log, sqrt, fractional
 * powers); `'unit'` the open interval (0, 1), generated as [0.01, 0.99] (probabilities); or explicit
 * bounds. The positive and unit domains stop 0.01 short of their open ends so that the finite
 * differences of any method (reach ≤ 2e-2·max(1, |x|)) stay inside.
 */
export type Domain = 'real' | 'positive' | 'unit' | { min: number; max: number };

export interface DomainTensorOptions {
  dtype?: DType;
  /** Kinks to stay away from (relu: [0]; softplus threshold: [20]). */
  awayFrom?: readonly number[];
  /**
   * Distance kept from each kink. Default 0.01·max(1, |kink|): the central step is ∛ε·max(1, |x|),
   * at most 4.9e-3·max(1, |x|) (float32), so central differences never straddle the kink.
   */
  margin?: number;
}

/** The closed bounds of a domain. */
export function domainBounds(domain: Domain): { min: number; max: number } {
  if (domain === 'real') return { min: -9, max: 9 };
  if (domain === 'positive') return { min: 0.01, max: 9 };
  if (domain === 'unit') return { min: 0.01, max: 0.99 };
  if (typeof domain === 'object' && domain !== null && domain.min <= domain.max) return { min: domain.min, max: domain.max };
  throw new RangeError(`domain must be 'real', 'positive', 'unit' or { min, max } with min ≤ max, got ${JSON.stringify(domain)}`);
}

/** The distance kept from kink k: the given margin, or 0.01·max(1, |k|). */
export function marginFor(k: number, margin?: number): number {
  return margin ?? 0.01 * Math.max(1, Math.abs(k));
}

/**
 * The closed intervals left of [min, max] once the open balls of radius `margin` around each kink
 * are removed, sorted. Throws when nothing is left.
 */
export function allowedIntervals(min: number, max: number, awayFrom: readonly number[], margin?: number): [number, number][] {
  let parts: [number, number][] = [[min, max]];
  for (const k of awayFrom) {
    const r = marginFor(k, margin);
    const next: [number, number][] = [];
    for (const [lo, hi] of parts) {
      if (hi <= k - r || lo >= k + r) next.push([lo, hi]);
      else {
        if (lo <= k - r) next.push([lo, k - r]);
        if (hi >= k + r) next.push([k + r, hi]);
      }
    }
    parts = next;
  }
  if (parts.length === 0) throw new RangeError(`no value in [${min}, ${max}] stays ${margin ?? '0.01·max(1, |kink|)'} away from ${awayFrom.join(', ')}`);
  return parts.sort((a, b) => a[0] - b[0]);
}

/** Moves v to the nearest point of the allowed intervals; returns the point and its interval. */
export function snapTo(v: number, parts: readonly [number, number][]): { value: number; lo: number; hi: number } {
  let best = { value: v, lo: v, hi: v }, dist = Infinity;
  for (const [lo, hi] of parts) {
    const p = Math.min(Math.max(v, lo), hi);
    const d = Math.abs(p - v);
    if (d < dist) {
      dist = d;
      best = { value: p, lo, hi };
    }
  }
  return best;
}

/**
 * Tensors whose values lie in an op's domain, and at least `margin` (default 0.01·max(1, |kink|))
 * away from each value in `awayFrom`. Values are drawn in the domain and moved to the nearest allowed point, so they shrink
 * towards 0 or to the allowed point next to it (e.g. ±margin around a kink at 0).
 *
 * @example
 * domainTensorArb([3], 'positive');                     // for log, sqrt
 * domainTensorArb(shapeArb(), 'real', { awayFrom: [0] }); // relu, abs: no value in (−0.01, 0.01)
 */
export function domainTensorArb(shape: Shape | fc.Arbitrary<readonly number[]>, domain: Domain, options: DomainTensorOptions = {}): fc.Arbitrary<Tensor> {
  const { min, max } = domainBounds(domain);
  const margin = options.margin;
  if (margin !== undefined && !(margin >= 0)) throw new RangeError(`domainTensorArb: margin must be non-negative, got ${margin}`);
  const parts = allowedIntervals(min, max, options.awayFrom ?? [], margin);
  const dtype = options.dtype ?? 'float64';
  const value = fc.double({ min, max, noNaN: true, noDefaultInfinity: true });
  return asShapeArb(shape).chain((s) => {
    const n = s.reduce((a, b) => a * b, 1);
    return fc.array(value, { minLength: n, maxLength: n }).map((vs) => {
      const data = allocate(dtype, n);
      vs.forEach((v, i) => {
        const p = snapTo(v, parts);
        // A float32 rounding must not fall back inside a margin: stay within the value's own interval.
        data[i] = dtype === 'float64' ? p.value : float32Within(p.value, p.lo, p.hi);
      });
      return new Tensor(data, s);
    });
  });
}
