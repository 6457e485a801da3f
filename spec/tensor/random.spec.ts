import { describe, expect, it } from 'vitest';
import { Rng, manualSeed, normal, rand, randn, uniform } from '../../src/tensor/index.js';

describe('seeded random numbers', () => {
  it('same seed, same numbers; another seed, other numbers', () => {
    for (const draw of [rand, randn]) {
      const a = draw([50], { seed: 42 }), b = draw([50], { seed: 42 }), c = draw([50], { seed: 43 });
      expect(Array.from(a.data)).toEqual(Array.from(b.data));
      expect(Array.from(a.data)).not.toEqual(Array.from(c.data));
    }
    expect(Array.from(uniform([5], -1, 1, { seed: 1 }).data)).toEqual(Array.from(uniform([5], -1, 1, { seed: 1 }).data));
    expect(Array.from(normal([5], 3, 2, { seed: 1 }).data)).toEqual(Array.from(normal([5], 3, 2, { seed: 1 }).data));
  });

  it('a shared Rng advances, and replays from the same seed', () => {
    const r1 = new Rng(7);
    const first = rand([4], { rng: r1 }), second = rand([4], { rng: r1 });
    expect(Array.from(first.data)).not.toEqual(Array.from(second.data));
    const r2 = new Rng(7);
    expect(Array.from(rand([8], { rng: r2 }).data)).toEqual([...first.data, ...second.data]);
  });

  it('manualSeed makes unseeded calls reproducible', () => {
    manualSeed(123);
    const a = randn([10]);
    manualSeed(123);
    expect(Array.from(randn([10]).data)).toEqual(Array.from(a.data));
  });

  it('a seed wins over an rng', () => {
    const r = new Rng(1);
    expect(Array.from(rand([3], { seed: 9, rng: r }).data)).toEqual(Array.from(rand([3], { seed: 9 }).data));
  });

  it('rand and uniform stay in their half-open ranges', () => {
    const u = rand([10_000], { seed: 3 });
    expect(Math.min(...u.data)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...u.data)).toBeLessThan(1);
    const v = uniform([10_000], -2, 5, { seed: 4 });
    expect(Math.min(...v.data)).toBeGreaterThanOrEqual(-2);
    expect(Math.max(...v.data)).toBeLessThan(5);
    expect(Math.min(...v.data)).toBeLessThan(-1.99);
    expect(Math.max(...v.data)).toBeGreaterThan(4.99);
  });

  it('randn is standard normal: moments and the 1σ/2σ masses', () => {
    const n = 200_000;
    const x = randn([n], { seed: 2024 }).data;
    let s1 = 0, s2 = 0, s3 = 0, s4 = 0, in1 = 0, in2 = 0;
    for (const v of x) {
      s1 += v;
      s2 += v * v;
      s3 += v * v * v;
      s4 += v * v * v * v;
      if (Math.abs(v) < 1) in1++;
      if (Math.abs(v) < 2) in2++;
    }
    // Tolerances are about 5 standard errors: mean ±1/√n, variance ±√(2/n), skewness ±√(6/n), kurtosis ±√(24/n).
    expect(Math.abs(s1 / n)).toBeLessThan(5 / Math.sqrt(n));
    expect(Math.abs(s2 / n - 1)).toBeLessThan(5 * Math.sqrt(2 / n));
    expect(Math.abs(s3 / n)).toBeLessThan(5 * Math.sqrt(6 / n));
    expect(Math.abs(s4 / n - 3)).toBeLessThan(5 * Math.sqrt(24 / n));
    expect(Math.abs(in1 / n - 0.6826894921370859)).toBeLessThan(0.005);
    expect(Math.abs(in2 / n - 0.9544997361036416)).toBeLessThan(0.003);
  });

  it('normal() shifts and scales', () => {
    const x = Array.from(normal([100_000], 10, 0.5, { seed: 5 }).data);
    const m = x.reduce((a, b) => a + b, 0) / x.length;
    const sd = Math.sqrt(x.reduce((a, b) => a + (b - m) ** 2, 0) / x.length);
    expect(Math.abs(m - 10)).toBeLessThan(0.01);
    expect(Math.abs(sd - 0.5)).toBeLessThan(0.01);
  });

  it('Rng.int covers [0, n) evenly', () => {
    const r = new Rng(11);
    const counts = [0, 0, 0, 0, 0];
    for (let i = 0; i < 50_000; i++) counts[r.int(5)]!++;
    for (const c of counts) expect(Math.abs(c / 50_000 - 0.2)).toBeLessThan(0.01);
  });

  it('honours dtype and rejects bad parameters', () => {
    expect(rand([2], { seed: 1, dtype: 'float32' }).dtype).toBe('float32');
    expect(() => new Rng(1.5)).toThrow(/seed must be an integer/);
    expect(() => uniform([2], 1, 0)).toThrow(/high \(0\) must not be below low \(1\)/);
    expect(() => normal([2], 0, -1)).toThrow(/std must be non-negative/);
    expect(() => rand([-1])).toThrow(RangeError);
  });
});
