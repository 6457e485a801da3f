/**
 * StandardScaler: River's running statistics in River's update order, its transform (0 where the
 * variance is 0), the inverse for a target scaler, validation and exact state round trips.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { StandardScaler } from '../../src/train/scaler.js';

const rows = (k: number) =>
  fc.array(fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: k, maxLength: k }), { minLength: 1, maxLength: 40 });
const data = fc.integer({ min: 1, max: 4 }).chain((k) => rows(k));

const learnAll = (xs: readonly number[][]): StandardScaler => {
  const s = new StandardScaler();
  for (const x of xs) s.learn(x);
  return s;
};

describe('StandardScaler statistics', () => {
  it('follows River\'s update to the bit: μ ← μ + (x − μ₀)/n, σ² ← σ² + ((x − μ₀)(x − μ) − σ²)/n', () => {
    fc.assert(
      fc.property(data, (xs) => {
        const k = xs[0]!.length;
        const mu = new Array<number>(k).fill(0);
        const v = new Array<number>(k).fill(0);
        xs.forEach((x, t) => {
          const n = t + 1;
          for (let i = 0; i < k; i++) {
            const old = mu[i]!;
            mu[i] = old + (x[i]! - old) / n;
            v[i] = v[i]! + ((x[i]! - old) * (x[i]! - mu[i]!) - v[i]!) / n;
          }
        });
        const s = learnAll(xs);
        expect(Array.from(s.mean)).toEqual(mu);
        expect(Array.from(s.variance)).toEqual(v);
        expect(s.count).toBe(xs.length);
      }),
    );
  });

  it('is the population mean and variance (two-pass) to rounding', () => {
    fc.assert(
      fc.property(data, (xs) => {
        const s = learnAll(xs);
        const n = xs.length;
        for (let i = 0; i < xs[0]!.length; i++) {
          const col = xs.map((x) => x[i]!);
          const mean = col.reduce((a, b) => a + b, 0) / n;
          const variance = col.reduce((a, b) => a + (b - mean) ** 2, 0) / n;
          const scale = Math.max(1, ...col.map(Math.abs));
          expect(Math.abs(s.mean[i]! - mean)).toBeLessThanOrEqual(1e-12 * scale);
          expect(Math.abs(s.variance[i]! - variance)).toBeLessThanOrEqual(1e-9 * scale * scale);
        }
      }),
    );
  });

  it('the TSDoc example holds', () => {
    const s = new StandardScaler();
    s.learn([1, 10]);
    expect(Array.from(s.transform([1, 10]))).toEqual([0, 0]);
    s.learn([3, 10]);
    expect(Array.from(s.transform([3, 10]))).toEqual([1, 0]);
    expect(Array.from(s.inverseTransform([1, 0.5]))).toEqual([3, 10.5]);
  });

  it('hand-checked: 1, 2, 3, 4 → μ 2.5, σ² 1.25 (population, not sample)', () => {
    const s = learnAll([[1], [2], [3], [4]]);
    expect(s.mean[0]).toBe(2.5);
    expect(s.variance[0]).toBe(1.25);
    expect(s.transform([4])[0]).toBeCloseTo(1.5 / Math.sqrt(1.25), 15);
  });
});

describe('StandardScaler.transform', () => {
  it('maps everything to 0 before the first learn (μ = 0, σ² = 0, as River) and the first sample to 0', () => {
    const s = new StandardScaler();
    expect(Array.from(s.transform([3, -7]))).toEqual([0, 0]);
    s.learn([3, -7]);
    expect(Array.from(s.transform([3, -7]))).toEqual([0, 0]);
    expect(Array.from(s.transform([100, 5]))).toEqual([0, 0]); // σ² = 0: River gives 0, whatever x
  });

  it('gives (x − μ)/√σ², 0 for a constant feature, and does not learn', () => {
    const s = learnAll([[1, 5], [3, 5]]);
    const before = JSON.stringify(s.state());
    expect(Array.from(s.transform([4, 9]))).toEqual([2, 0]);
    expect(JSON.stringify(s.state())).toBe(before);
  });

  it('returns a fresh Float64Array and leaves its input alone', () => {
    const s = learnAll([[1], [3]]);
    const x = new Float64Array([3]);
    const z = s.transform(x);
    expect(z).toBeInstanceOf(Float64Array);
    expect(z).not.toBe(x);
    expect(x[0]).toBe(3);
  });
});

describe('StandardScaler.inverseTransform', () => {
  it('undoes transform where σ² > 0', () => {
    fc.assert(
      fc.property(rows(3).filter((xs) => xs.length >= 2), fc.array(fc.double({ min: -1e3, max: 1e3, noNaN: true }), { minLength: 3, maxLength: 3 }), (xs, x) => {
        const s = learnAll(xs);
        const back = s.inverseTransform(s.transform(x));
        for (let i = 0; i < 3; i++) {
          if (s.variance[i] === 0) continue;
          const scale = Math.max(1, Math.abs(x[i]!), Math.abs(s.mean[i]!), Math.sqrt(s.variance[i]!));
          expect(Math.abs(back[i]! - x[i]!)).toBeLessThanOrEqual(1e-9 * scale);
        }
      }),
    );
    const s = learnAll([[1], [3]]);
    expect(Array.from(s.inverseTransform([1]))).toEqual([3]);
  });

  it('uses σ = 1 where σ² = 0: z + μ, so a model\'s output is not multiplied by 0', () => {
    const s = learnAll([[40]]);
    expect(Array.from(s.inverseTransform([0.5]))).toEqual([40.5]);
    // every value learned so far maps to 0 and back to itself
    expect(Array.from(s.inverseTransform(s.transform([40])))).toEqual([40]);
    expect(Array.from(new StandardScaler().inverseTransform([2]))).toEqual([2]);
  });
});

describe('StandardScaler validation', () => {
  it('fixes the feature count at the first learn', () => {
    const s = learnAll([[1, 2]]);
    expect(s.features).toBe(2);
    expect(() => s.learn([1, 2, 3])).toThrow(/StandardScaler.learn: expected 2 features, got 3/);
    expect(() => s.transform([1])).toThrow(/StandardScaler.transform: expected 2 features, got 1/);
    expect(() => s.inverseTransform([1])).toThrow(/inverseTransform: expected 2 features/);
    expect(() => new StandardScaler().learn([])).toThrow(/at least one feature/);
  });

  it('refuses NaN and ±∞ naming the feature, and a refused sample changes nothing', () => {
    const s = learnAll([[1, 2, 3]]);
    const before = JSON.stringify(s.state());
    expect(() => s.learn([1, NaN, 3])).toThrow(/feature 1 is NaN/);
    expect(() => s.learn([1, 2, -Infinity])).toThrow(/feature 2 is -Infinity/);
    expect(() => s.transform([Infinity, 2, 3])).toThrow(/StandardScaler.transform: feature 0 is Infinity/);
    expect(() => s.learn([1, '2' as unknown as number, 3])).toThrow(TypeError);
    // (x − μ₀)(x − μ) ≈ 5e615: the variance would be ∞
    expect(() => s.learn([1, 2, 1e308])).toThrow(/feature 2 = 1e\+308 overflows the running statistics/);
    expect(JSON.stringify(s.state())).toBe(before);
    s.learn([1, 2, 1e150]);
    expect(s.count).toBe(2);
  });

  it('a feature count given to the constructor is enforced, kept by reset and by load', () => {
    const s = new StandardScaler({ features: 2 });
    expect(s.features).toBe(2);
    expect(() => s.learn([1])).toThrow(/expected 2 features, got 1/);
    s.learn([1, 2]);
    s.reset();
    expect(s.features).toBe(2);
    expect(s.count).toBe(0);
    expect(() => s.load(learnAll([[1, 2, 3]]).state())).toThrow(/3 features, this scaler 2/);
    expect(() => new StandardScaler({ features: 0 })).toThrow(/positive integer/);
  });
});

describe('StandardScaler state', () => {
  it('round-trips through JSON exactly, mid-stream', () => {
    fc.assert(
      fc.property(data, fc.nat(), (xs, cut) => {
        const k = Math.min(cut % (xs.length + 1), xs.length);
        const whole = learnAll(xs);
        const resumed = new StandardScaler();
        resumed.load(JSON.parse(JSON.stringify(learnAll(xs.slice(0, k)).state())));
        for (const x of xs.slice(k)) resumed.learn(x);
        expect(JSON.stringify(resumed.state())).toBe(JSON.stringify(whole.state()));
        expect(Array.from(resumed.transform(xs[0]!))).toEqual(Array.from(whole.transform(xs[0]!)));
      }),
    );
  });

  it('load checks everything before changing anything', () => {
    const s = learnAll([[1, 2], [2, 4]]);
    const before = JSON.stringify(s.state());
    const good = s.state();
    expect(() => s.load({ ...good, type: 'minMax' })).toThrow(/state of "minMax"/);
    expect(() => s.load({ ...good, n: 1.5 })).toThrow(/n must be a count/);
    expect(() => s.load({ ...good, variance: [1, -1] })).toThrow(/variance\[1\] = -1 is not a finite, non-negative number/);
    expect(() => s.load({ ...good, mean: [1, 'x'] })).toThrow(/mean\[1\]/);
    expect(() => s.load({ ...good, mean: [1] })).toThrow(/one entry per feature/);
    expect(() => s.load({ ...good, mean: null, variance: null })).toThrow(/no statistics/);
    expect(() => s.load([])).toThrow(/not an object/);
    expect(JSON.stringify(s.state())).toBe(before);
    const fresh = new StandardScaler();
    fresh.load(new StandardScaler().state());
    expect(fresh.features).toBeNull();
  });
});
