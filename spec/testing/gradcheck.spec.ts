/**
 * gradcheck's numerics and options: kinks, ties, steps near singularities, float32, modes,
 * non-differentiable inputs, seeds, evaluation counts — and where it does better than PyTorch's
 * gradcheck (eps 1e-6, atol 1e-5, rtol 1e-3, no kink handling).
 */
import { describe, expect, it } from 'vitest';
import {
  crossEntropy, defineOp, exp, kernels, leakyRelu, log, max, mul, pow, randn, relu, sigmoid, sqrt, tanh, tensor, uniform,
} from '../../src/index.js';
import { type Differentiable, GradcheckError, assertGradcheck, fromOp, gradcheck } from '../../src/testing/index.js';

/** PyTorch's gradcheck, emulated: fixed eps 1e-6, its tolerances, plain central differences. */
const torchLike = { step: 1e-6, rtol: 1e-3, atol: 1e-5, kinks: 'ignore' as const, refine: false, noise: 0 };

describe('kinks', () => {
  it('relu at 0: accepted as a kink by default, a mismatch when kinks are ignored (PyTorch: 0.5 vs 0)', () => {
    const x = tensor([0, 1, -1]);
    const r = gradcheck(relu, [x]);
    expect(r.ok).toBe(true);
    expect(r.kinks).toHaveLength(1);
    expect(r.kinks[0]).toMatchObject({ input: 0, index: [0], analytic: 0 });
    expect(r.kinks[0]!.left).toBeCloseTo(0, 6);
    expect(r.kinks[0]!.right).toBeCloseTo(1, 6);
    const ignored = gradcheck(relu, [x], { kinks: 'ignore' });
    expect(ignored.ok).toBe(false);
    expect(ignored.failures[0]).toMatchObject({ index: [0], analytic: 0 });
    expect(ignored.failures[0]!.numeric).toBeCloseTo(0.5, 6);
    expect(gradcheck(relu, [x], torchLike).ok).toBe(false);
    const rejected = gradcheck(relu, [x], { kinks: 'reject' });
    expect(rejected.ok).toBe(false);
    expect(rejected.failures[0]!.kind).toBe('kink');
  });

  it('a point within one step of a kink is checked with a smaller step (PyTorch: relu\'(3e-7) → 0.65)', () => {
    const x = tensor([3e-7, -3e-7]);
    const r = gradcheck(relu, [x]);
    expect(r.ok).toBe(true);
    expect(r.kinks).toHaveLength(0);
    expect(r.refined).toBe(2);
    expect(gradcheck(relu, [x], torchLike).ok).toBe(false);
  });

  it('the analytic value must lie between the one-sided derivatives (Caffe): leakyRelu\'(0)', () => {
    expect(gradcheck(leakyRelu, [tensor([0])], { attrs: { slope: 0.1 } }).ok).toBe(true);
    const wrongAtZero = defineOp({
      name: 'wrongAtZero',
      arity: 1,
      forward: ([x]) => kernels.unary(x, (v) => (v > 0 ? v : 0.1 * v)),
      backward: (g, { inputs: [x] }) => [kernels.binary('w', g, x, (gv, xv) => gv * (xv > 0 ? 1 : xv < 0 ? 0.1 : 2))],
    });
    const r = gradcheck(wrongAtZero, [tensor([0, 1, -1])]);
    expect(r.ok).toBe(false);
    expect(r.failures).toHaveLength(1);
    expect(r.failures[0]).toMatchObject({ kind: 'kink', index: [0], analytic: 2 });
  });

  it('max ties (PyTorch g/k; central differences give 1/2): within the one-sided interval, accepted', () => {
    // A 2-way tie: g/2 each, and central differences give exactly 1/2: no kink even needs detecting.
    expect(gradcheck(max, [tensor([1, 3, 3, 2])])).toMatchObject({ ok: true, kinks: [] });
    // A 4-way tie (kornia#4184): g/4 each against 1/2 — a kink, and 1/4 lies in [0, 1].
    const r = gradcheck(max, [tensor([[5, 5], [5, 5]])]);
    expect(r.ok).toBe(true);
    expect(r.kinks).toHaveLength(4);
    expect(gradcheck(max, [tensor([[5, 5], [5, 5]])], torchLike).ok).toBe(false);
    // With distinct values there is no kink at all.
    expect(gradcheck(max, [tensor([1, 3, 2.5, 2])]).kinks).toHaveLength(0);
  });
});

describe('steps', () => {
  it('log and x^−½ near 0 pass in float64 (the mismatch is refined before it counts)', () => {
    const r = gradcheck(log, [tensor([1e-3, 1e-2, 0.1, 5])]);
    expect(r.ok).toBe(true);
    expect(r.refined).toBeGreaterThan(0);
    expect(gradcheck(pow, [tensor([1e-3, 0.02, 3])], { attrs: { exponent: -0.5 } }).ok).toBe(true);
    expect(gradcheck(sqrt, [tensor([2e-4, 0.5])]).ok).toBe(true);
  });

  it('a point closer to the domain edge than any step is reported as such, not as a wrong gradient', () => {
    const r = gradcheck(log, [tensor([1e-12])]);
    expect(r.ok).toBe(false);
    expect(r.failures[0]!.kind).toBe('domain');
    expect(r.failures[0]!.note).toMatch(/domain/);
  });

  it('scales the step with max(1, |x|): x³ at 1e3 and 1e5 is exact to 1e-9', () => {
    const cube = defineOp({
      name: 'cube',
      arity: 1,
      forward: ([x]) => kernels.unary(x, (v) => v * v * v),
      backward: (g, { inputs: [x] }) => [kernels.binary('cube', g, x, (gv, xv) => 3 * xv * xv * gv)],
    });
    const r = gradcheck(cube, [tensor([1e3, -1e5, 0.5])]);
    expect(r.ok).toBe(true);
    expect(r.maxRelError).toBeLessThan(1e-9);
    expect(r.refined).toBe(0);
  });

  it('richardson is far more accurate than central on smooth ops', () => {
    const x = randn([3, 3], { seed: 3 });
    const central = gradcheck(tanh, [x]);
    const rich = gradcheck(tanh, [x], { method: 'richardson' });
    expect(rich.ok).toBe(true);
    expect(rich.rtol).toBe(1e-8);
    expect(rich.maxRelError).toBeLessThan(central.maxRelError / 10);
  });

  it('stepScale and an absolute step change the step actually used', () => {
    const slightly = defineOp({
      name: 'slightly',
      arity: 1,
      forward: ([x]) => kernels.unary(x, Math.exp),
      backward: (g, { inputs: [x] }) => [kernels.binary('s', g, x, (gv, xv) => gv * Math.exp(xv) * (1 + 1e-4))],
    });
    const r = gradcheck(slightly, [tensor([2])], { stepScale: 10 });
    expect(r.failures[0]!.step).toBeCloseTo(10 * Math.cbrt(2 ** -52) * 2, 12);
    expect(gradcheck(slightly, [tensor([2])], { step: 1e-3 }).failures[0]!.step).toBe(1e-3);
  });
});

describe('float32 storage', () => {
  const x32 = uniform([4, 5], -3, 3, { seed: 9, dtype: 'float32' });

  it('differences in float64 with ∛ε₃₂ steps: correct float32 ops pass, with a warning', () => {
    for (const op of [exp, tanh, sigmoid]) {
      const r = gradcheck(op, [x32]);
      expect(r.ok, JSON.stringify(r.failures[0])).toBe(true);
      expect(r.precision).toBe('float32');
      expect(r.rtol).toBe(1e-3);
      expect(r.warnings.join(' ')).toMatch(/float32/);
    }
  });

  it('PyTorch\'s fixed eps 1e-6 rejects the same correct float32 ops (round-off dominates)', () => {
    expect(gradcheck(exp, [x32], torchLike).ok).toBe(false);
    const big = tensor([100, -100, 300], { dtype: 'float32' });
    const square = defineOp({
      name: 'cube32',
      arity: 1,
      forward: ([x]) => kernels.unary(x, (v) => v * v * v),
      backward: (g, { inputs: [x] }) => [kernels.binary('cube', g, x, (gv, xv) => 3 * xv * xv * gv)],
    });
    expect(gradcheck(square, [big]).ok).toBe(true);
    expect(gradcheck(square, [big], torchLike).ok).toBe(false);
  });

  it('mixed float32 and float64 inputs use the coarser precision', () => {
    const r = gradcheck(mul, [x32, randn([4, 5], { seed: 2 })]);
    expect(r.ok).toBe(true);
    expect(r.precision).toBe('float32');
  });
});

describe('inputs, modes, seeds, counts', () => {
  it('non-differentiable inputs are skipped (crossEntropy labels); wrt restricts the check', () => {
    const logits = randn([3, 4], { seed: 1 });
    const r = gradcheck(crossEntropy, [logits, tensor([0, 3, 1])]);
    expect(r.ok).toBe(true);
    expect(r.checkedInputs).toEqual([0]);
    const badB = defineOp({
      name: 'badB',
      arity: 2,
      forward: ([a, b]) => kernels.mul(a, b),
      backward: (g, { inputs: [a, b] }, needs) => [needs[0] ? kernels.mul(g, b) : null, needs[1] ? kernels.mul(g, b) : null],
    });
    const xs = [randn([3], { seed: 1 }), randn([3], { seed: 2 })];
    expect(gradcheck(badB, xs).ok).toBe(false);
    expect(gradcheck(badB, xs, { wrt: [0] }).ok).toBe(true);
    expect(gradcheck(badB, xs, { wrt: [1] }).ok).toBe(false);
    expect(gradcheck(crossEntropy, [logits, tensor([0, 3, 1])], { wrt: [1] }).warnings).toContain('input 1 is not differentiable; skipped');
  });

  it('accepts any Differentiable, not only op records', () => {
    const sq: Differentiable = {
      name: 'square',
      forward: ([x]) => kernels.mul(x!, x!),
      backward: (g, [x]) => [kernels.binary('sq', g, x!, (gv, xv) => 2 * xv * gv)],
    };
    expect(gradcheck(sq, [randn([4], { seed: 1 })]).ok).toBe(true);
    expect(() => gradcheck(sq, [randn([4], { seed: 1 })], { attrs: {} })).toThrow(TypeError);
    expect(gradcheck(fromOp(sigmoid), [randn([4], { seed: 1 })]).ok).toBe(true);
  });

  it('auto mode: full for small inputs, projections beyond 256 elements; either can be forced', () => {
    expect(gradcheck(tanh, [randn([16, 16], { seed: 1 })]).mode).toBe('full');
    expect(gradcheck(tanh, [randn([16, 17], { seed: 1 })]).mode).toBe('projection');
    expect(gradcheck(tanh, [randn([3], { seed: 1 })], { mode: 'projection' }).mode).toBe('projection');
    expect(gradcheck(tanh, [randn([20, 20], { seed: 1 })], { mode: 'full' }).ok).toBe(true);
  });

  it('counts evaluations: 2 + 2n forwards for central, 2 + 4n for richardson, 4 + m backwards for one input', () => {
    const x = randn([2, 3], { seed: 1 });
    const r = gradcheck(tanh, [x]);
    expect(r.evaluations).toEqual({ forward: 2 + 2 * 6, backward: 3 + 6 });
    expect(gradcheck(tanh, [x], { method: 'richardson' }).evaluations.forward).toBe(2 + 4 * 6);
    // Projection: per trial one backward and two forwards per input.
    const p = gradcheck(tanh, [x], { mode: 'projection', trials: 5 });
    expect(p.evaluations).toEqual({ forward: 2 + 2 * 5, backward: 3 + 5 });
  });

  it('the seed fixes g, u and v: same seed, same report; another seed, other numbers', () => {
    const x = randn([20, 20], { seed: 4 });
    const a = gradcheck(sigmoid, [x], { seed: 7 }), b = gradcheck(sigmoid, [x], { seed: 7 }), c = gradcheck(sigmoid, [x], { seed: 8 });
    expect(a).toEqual(b);
    expect(c.maxAbsError).not.toBe(a.maxAbsError);
  });

  it('throws only for invalid inputs; assertGradcheck throws a GradcheckError carrying the report', () => {
    expect(() => gradcheck(mul, [randn([2], { seed: 1 }), randn([3], { seed: 1 })])).toThrow(/mul/);
    const bad = defineOp({ name: 'bad', arity: 1, forward: ([x]) => x, backward: (g) => [kernels.scale(g, 2)] });
    let caught: unknown;
    try {
      assertGradcheck(bad, [tensor([1, 2])]);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(GradcheckError);
    expect((caught as GradcheckError).report.ok).toBe(false);
    expect(assertGradcheck(sigmoid, [tensor([1, 2])]).ok).toBe(true);
  });
});
