/**
 * The arbitraries keep their promises: shapes in range, pairs that broadcast (in every flavour),
 * tensors bounded and finite, domains and kink margins respected, labels valid — and they shrink
 * to small counterexamples.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Tensor, broadcastShapes, sizeOf } from '../../src/tensor/index.js';
import { broadcastPairArb, domainBounds, domainTensorArb, labelsArb, shapeArb, tensorArb } from '../../src/testing/index.js';

const values = (t: Tensor): number[] => Array.from(t.data);

describe('shapeArb', () => {
  it('stays within rank and dimension bounds', () => {
    fc.assert(
      fc.property(fc.nat(3), fc.nat(3), fc.nat(4), fc.nat(4), (r0, dr, d0, dd) => {
        const o = { minRank: r0, maxRank: r0 + dr, minDim: d0, maxDim: d0 + dd };
        for (const s of fc.sample(shapeArb(o), 20)) {
          expect(s.length).toBeGreaterThanOrEqual(o.minRank);
          expect(s.length).toBeLessThanOrEqual(o.maxRank);
          for (const d of s) expect(d >= o.minDim && d <= o.maxDim && Number.isInteger(d)).toBe(true);
        }
      }),
      { numRuns: 50 },
    );
    expect(() => shapeArb({ minRank: 3, maxRank: 1 })).toThrow(RangeError);
  });
});

describe('broadcastPairArb', () => {
  it('always broadcasts, and produces equal pairs, unit dimensions and missing leading dimensions', () => {
    let equal = 0, unit = 0, missing = 0, scalar = 0;
    fc.assert(
      fc.property(broadcastPairArb({ maxRank: 4, maxDim: 3 }), ([a, b]) => {
        expect(broadcastShapes(a, b)).not.toBeNull();
        for (const s of [a, b]) expect(s.length).toBeLessThanOrEqual(4);
        if (a.length === b.length && a.every((d, i) => d === b[i])) equal++;
        const rank = Math.max(a.length, b.length);
        const pa = [...Array(rank - a.length).fill(null), ...a], pb = [...Array(rank - b.length).fill(null), ...b];
        if (pa.some((d, i) => d === 1 && pb[i] !== null && pb[i] !== 1) || pb.some((d, i) => d === 1 && pa[i] !== null && pa[i] !== 1)) unit++;
        if (a.length !== b.length) missing++;
        if (a.length === 0 || b.length === 0) scalar++;
      }),
      { numRuns: 500, seed: 1 },
    );
    for (const n of [equal, unit, missing, scalar]) expect(n).toBeGreaterThan(25);
  });

  it('respects minRank on both sides', () => {
    fc.assert(fc.property(broadcastPairArb({ minRank: 2, maxRank: 3 }), ([a, b]) => a.length >= 2 && b.length >= 2));
  });

  it('shrinks to two equal small shapes', () => {
    const r = fc.check(fc.property(broadcastPairArb({ minRank: 1, maxRank: 3 }), ([a, b]) => a.length === b.length && a.every((d, i) => d === b[i]) && false), { seed: 3 });
    expect(r.failed).toBe(true);
    const [a, b] = r.counterexample![0];
    expect(a).toEqual(b);
    expect(a).toEqual([1]);
  });
});

describe('tensorArb', () => {
  it('bounded and finite by default, with the requested shape', () => {
    fc.assert(
      fc.property(shapeArb().chain((s) => fc.tuple(fc.constant(s), tensorArb(s))), ([s, t]) => {
        expect(t.shape).toEqual(s);
        expect(t.dtype).toBe('float64');
        for (const v of values(t)) expect(Number.isFinite(v) && v >= -9 && v <= 9).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('custom bounds and float32 storage stay within the bounds (rounding inwards)', () => {
    fc.assert(
      fc.property(tensorArb(shapeArb({ minRank: 1 }), { min: 0.1, max: 0.30000000000000004, dtype: 'float32' }), (t) => {
        expect(t.dtype).toBe('float32');
        for (const v of values(t)) expect(v >= 0.1 && v <= 0.30000000000000004).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('never NaN or ±∞ unless asked: huge bounds stay finite; infinite bounds may give infinities', () => {
    const huge = fc.sample(tensorArb([50], { min: -1e308, max: 1e308 }), 50).flatMap(values);
    expect(huge.every(Number.isFinite)).toBe(true);
    expect(huge.some((v) => Math.abs(v) > 1e300)).toBe(true);
    const inf = fc.sample(tensorArb([50], { min: -Infinity, max: Infinity }), 50).flatMap(values);
    expect(inf.some((v) => !Number.isFinite(v))).toBe(true);
    expect(inf.some(Number.isNaN)).toBe(false);
    expect(fc.sample(tensorArb([50], { nan: true }), 50).flatMap(values).some(Number.isNaN)).toBe(true);
  });

  it('shrinks elementwise towards 0', () => {
    const r = fc.check(fc.property(tensorArb([4]), (t) => values(t).every((v) => v < 5)), { seed: 5 });
    expect(r.failed).toBe(true);
    const shrunk = values(r.counterexample![0]);
    expect(shrunk.filter((v) => v !== 0)).toHaveLength(1);
    expect(shrunk.find((v) => v !== 0)).toBeCloseTo(5, 5);
  });
});

describe('domainTensorArb', () => {
  it('respects each domain', () => {
    for (const domain of ['real', 'positive', 'unit', { min: -2, max: -1 }] as const) {
      const { min, max } = domainBounds(domain);
      for (const dtype of ['float64', 'float32'] as const) {
        for (const t of fc.sample(domainTensorArb(shapeArb(), domain, { dtype }), 100)) {
          for (const v of values(t)) expect(v >= min && v <= max, `${JSON.stringify(domain)} ${v}`).toBe(true);
        }
      }
    }
    expect(domainBounds('positive').min).toBeGreaterThan(0);
    expect(domainBounds('unit')).toEqual({ min: 0.01, max: 0.99 });
  });

  it('keeps every value at least the margin away from each kink, in both dtypes', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: -8, max: 8 }), { maxLength: 3 }),
        fc.constantFrom(undefined, 0.05, 0.5),
        fc.constantFrom('float64' as const, 'float32' as const),
        (kinks, margin, dtype) => {
          for (const t of fc.sample(domainTensorArb([20], 'real', { awayFrom: kinks, dtype, ...(margin !== undefined ? { margin } : {}) }), 5)) {
            for (const v of values(t)) {
              for (const k of kinks) expect(Math.abs(v - k)).toBeGreaterThanOrEqual((margin ?? 0.01 * Math.max(1, Math.abs(k))) * (1 - 1e-12));
            }
          }
        },
      ),
      { numRuns: 100 },
    );
    expect(() => domainTensorArb([2], { min: -0.1, max: 0.1 }, { awayFrom: [0], margin: 0.2 })).toThrow(RangeError);
  });

  it('shrinks towards the allowed point next to 0 (±margin around a kink at 0)', () => {
    const r = fc.check(fc.property(domainTensorArb([3], 'real', { awayFrom: [0], margin: 0.25 }), (t) => values(t).every((v) => v < 2)), { seed: 9 });
    expect(r.failed).toBe(true);
    const shrunk = values(r.counterexample![0]);
    expect(shrunk.filter((v) => Math.abs(v) === 0.25)).toHaveLength(2);
  });
});

describe('labelsArb', () => {
  it('integer classes in [0, C) with the requested shape, ignoreIndex mixed in when asked', () => {
    let ignored = 0;
    fc.assert(
      fc.property(shapeArb({ maxRank: 2 }), fc.integer({ min: 1, max: 6 }), fc.boolean(), (shape, classes, withIgnore) => {
        for (const t of fc.sample(labelsArb(shape, classes, withIgnore ? { ignoreIndex: -100 } : {}), 5)) {
          expect(t.shape).toEqual(shape);
          expect(t.size).toBe(sizeOf(shape));
          for (const v of values(t)) {
            if (v === -100) {
              expect(withIgnore).toBe(true);
              ignored++;
            } else expect(Number.isInteger(v) && v >= 0 && v < classes).toBe(true);
          }
        }
      }),
      { numRuns: 200 },
    );
    expect(ignored).toBeGreaterThan(0);
    expect(() => labelsArb([2], 0)).toThrow(RangeError);
  });
});
