/**
 * Gradient clipping: PyTorch's clip_grad_norm_ / clip_grad_value_ semantics as pure functions, and
 * the per-layer transforms for transformGrad. (Parity with PyTorch's numbers is in
 * optim-torch.spec.ts: total norms and clipped gradients of 30 steps.)
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Tensor, input, matmul, mul, param, runSync, sum, tensor, transformGrad } from '../../src/index.js';
import { clipGradNorm, clipGradValue, clipNorm, clipValue, vectorNorm } from '../../src/train/index.js';

const gradsArb = fc.array(
  fc.option(fc.array(fc.double({ min: -100, max: 100, noNaN: true }), { minLength: 1, maxLength: 6 }), { nil: null, freq: 4 }),
  { minLength: 1, maxLength: 5 },
);
const toTensors = (gs: (number[] | null)[]): (Tensor | null)[] => gs.map((g) => (g === null ? null : tensor(g)));
const allValues = (gs: readonly (Tensor | null)[]) => gs.flatMap((g) => (g === null ? [] : Array.from(g.data)));

describe('clipGradNorm', () => {
  it('scales every gradient by one coef = min(1, maxNorm/(total + 1e-6)); nulls pass through; inputs untouched', () => {
    fc.assert(
      fc.property(gradsArb, fc.double({ min: 0.01, max: 50, noNaN: true }), fc.constantFrom(1, 2, 3, Infinity), (raw, maxNorm, p) => {
        const grads = toTensors(raw);
        const copies = allValues(grads);
        const { grads: out, totalNorm } = clipGradNorm(grads, maxNorm, p);
        expect(allValues(grads)).toEqual(copies);
        const flat = copies.map(Math.abs);
        const expectedTotal = p === Infinity ? Math.max(0, ...flat) : flat.reduce((a, v) => a + v ** p, 0) ** (1 / p);
        expect(Math.abs(totalNorm - expectedTotal)).toBeLessThanOrEqual(1e-12 * Math.max(1, expectedTotal));
        const coef = Math.min(1, maxNorm / (totalNorm + 1e-6));
        out.forEach((g, i) => {
          if (grads[i] === null) return expect(g).toBeNull();
          expect(Array.from(g!.data)).toEqual(Array.from(grads[i]!.data, (v) => v * coef));
        });
        const clippedTotal = clipGradNorm(out, Infinity, p).totalNorm;
        expect(clippedTotal).toBeLessThanOrEqual(Math.max(maxNorm, 0) * (1 + 1e-12));
        if (totalNorm + 1e-6 <= maxNorm) expect(allValues(out)).toEqual(copies);
      }),
    );
  });

  it('the total norm is the norm of the per-tensor norms (PyTorch), returned before clipping', () => {
    const { totalNorm, grads } = clipGradNorm([tensor([3, 0]), null, tensor([[4]])], 1);
    expect(totalNorm).toBe(5);
    expect(Array.from(grads[0]!.data)).toEqual([3 * (1 / (5 + 1e-6)), 0]);
    expect(clipGradNorm([tensor([3, -7]), tensor([5])], 1, Infinity).totalNorm).toBe(7);
    expect(clipGradNorm([tensor([3, -7]), tensor([5])], 1, 1).totalNorm).toBe(15);
  });

  it('no gradients: total norm 0 and nothing to clip', () => {
    expect(clipGradNorm([null, null], 1)).toEqual({ grads: [null, null], totalNorm: 0 });
    expect(clipGradNorm([], 1)).toEqual({ grads: [], totalNorm: 0 });
  });

  it('a non-finite norm poisons the gradients as in PyTorch, or throws with errorIfNonfinite', () => {
    const nan = clipGradNorm([tensor([NaN, 1]), tensor([2])], 1);
    expect(nan.totalNorm).toBeNaN();
    expect(allValues(nan.grads).every(Number.isNaN)).toBe(true);
    const inf = clipGradNorm([tensor([Infinity, 1])], 1);
    expect(inf.totalNorm).toBe(Infinity);
    expect(Array.from(inf.grads[0]!.data)).toEqual([NaN, 0]); // ∞·0 and 1·0
    expect(() => clipGradNorm([tensor([Infinity])], 1, 2, { errorIfNonfinite: true })).toThrow(/total norm of order 2 .* is Infinity/);
  });

  it('refuses bad arguments', () => {
    expect(() => clipGradNorm([tensor([1])], -1)).toThrow(/maxNorm must be a number ≥ 0/);
    expect(() => clipGradNorm([tensor([1])], 1, 0)).toThrow(/normType must be a positive number or Infinity/);
    expect(() => vectorNorm(tensor([1]), -2)).toThrow(/normType/);
  });
});

describe('clipGradValue', () => {
  it('clamps each element to [−c, c], keeps the rest, passes nulls and leaves inputs untouched', () => {
    fc.assert(
      fc.property(gradsArb, fc.double({ min: 0, max: 60, noNaN: true }), (raw, c) => {
        const grads = toTensors(raw);
        const copies = allValues(grads);
        const out = clipGradValue(grads, c);
        expect(allValues(grads)).toEqual(copies);
        out.forEach((g, i) => {
          if (grads[i] === null) return expect(g).toBeNull();
          expect(Array.from(g!.data)).toEqual(Array.from(grads[i]!.data, (v) => Math.min(c, Math.max(-c, v))));
        });
      }),
    );
  });

  it('NaN stays NaN (torch.clamp); a negative clip value is refused', () => {
    expect(Array.from(clipGradValue([tensor([NaN, -5, 5])], 1)[0]!.data)).toEqual([NaN, -1, 1]);
    expect(() => clipGradValue([tensor([1])], -0.5)).toThrow(/clip value must be a number ≥ 0/);
  });
});

describe('clipValue / clipNorm with transformGrad', () => {
  // out = x·W, loss = sum(10·out): the gradient reaching out is 10 everywhere, dW = xᵀ·g.
  function gradOfW(transform: ((g: Tensor) => Tensor) | null): number[] {
    const W = param(tensor([[1, 2], [3, 4]]));
    const x = input([1, 2]);
    const out = transform === null ? x.pipe(matmul(W)) : x.pipe(matmul(W), transformGrad(transform));
    const loss = sum(mul(out, 10));
    return Array.from(runSync(loss, { feed: [[x, [[1, -2]]]], wrt: [W] }).grads[0]!.data);
  }

  it('clipValue(c) clips the gradient flowing into one layer', () => {
    expect(gradOfW(null)).toEqual([10, 10, -20, -20]);
    expect(gradOfW(clipValue(0.5))).toEqual([0.5, 0.5, -1, -1]);
  });

  it('clipNorm(maxNorm) rescales that gradient to norm ≈ maxNorm', () => {
    // The gradient at out is [10, 10] (norm 10√2); clipped to norm 1: each 10·coef.
    const coef = 1 / (Math.sqrt(200) + 1e-6);
    const g = gradOfW(clipNorm(1));
    expect(g).toEqual([10 * coef * 1, 10 * coef * 1, 10 * coef * -2, 10 * coef * -2]);
    expect(gradOfW(clipNorm(100))).toEqual([10, 10, -20, -20]);
  });

  it('refuse bad arguments when created', () => {
    expect(() => clipValue(-1)).toThrow(/clip value/);
    expect(() => clipNorm(NaN)).toThrow(/maxNorm/);
  });
});
