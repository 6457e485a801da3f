/**
 * A failure must be actionable: the message names the op, the input, the element, both values, both
 * errors, the step and the seed; from checkOp, fast-check's seed and path too, with the shrunk case
 * printed as code that rebuilds it.
 */
import { test as propTest } from '@fast-check/vitest';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defineOp, kernels, randn, tanh, tensor } from '../../src/index.js';
import {
  type Differentiable,
  GradcheckError, broadcastPairArb, checkOp, expectGradcheck, formatReport, gradcheck, tensorArb, tensorSource,
} from '../../src/testing/index.js';

/** mul with a wrong ∂b at one element (flat index 5 of b). */
const mulBad = defineOp({
  name: 'mulBad',
  arity: 2,
  forward: ([a, b]) => kernels.mul(a, b),
  backward: (g, { inputs: [a, b] }, needs) => {
    const db = kernels.mul(g, a).clone();
    db.data[5] = db.data[5]! * 3;
    return [needs[0] ? kernels.mul(g, b) : null, needs[1] ? db : null];
  },
});

describe('failure messages', () => {
  it('name the op, input, element, values, errors, step and seed', () => {
    const a = randn([2, 3], { seed: 1 }), b = randn([2, 3], { seed: 2 });
    const r = gradcheck(mulBad, [a, b], { seed: 123 });
    expect(r.ok).toBe(false);
    expect(r.failureCount).toBe(1);
    const f = r.failures[0]!;
    expect(f).toMatchObject({ kind: 'mismatch', input: 1, index: [1, 2], output: [1, 2] });
    expect(f.analytic).toBeCloseTo(3 * a.get(1, 2), 12);
    expect(f.numeric).toBeCloseTo(a.get(1, 2), 8);
    const text = formatReport(r);
    expect(text).toContain('gradcheck(mulBad) FAILED');
    expect(text).toContain('input 1 [2,3] element [1,2], output element [1,2]');
    expect(text).toContain(`analytic ${f.analytic}`);
    expect(text).toContain(`numeric ${f.numeric}`);
    expect(text).toMatch(/abs error \d\.\d\de[+-]\d+, rel error \d\.\d\de[+-]\d+/);
    expect(text).toMatch(/step 6\.06e-6|step \d\.\d\de-\d/);
    expect(text).toContain('seed 123');
    expect(text).toContain("replay: gradcheck(mulBad, inputs, { seed: 123, method: 'central', mode: 'full' })");
    expect(new GradcheckError(r).message).toBe(text);
  });

  it('name the projection trial and localise the element on large inputs', () => {
    const r = gradcheck(mulBad, [randn([20, 20], { seed: 1 }), randn([20, 20], { seed: 2 })], { seed: 5 });
    expect(r.mode).toBe('projection');
    const text = formatReport(r);
    expect(text).toMatch(/projection vᵀJu mismatch at input 1 \[20,20\] projection trial \d/);
    expect(text).toMatch(/mismatch at input 1 \[20,20\] element \[0,5\], projection trial \d/);
  });

  it('list invariant failures, kinks and warnings; a passing report says so', () => {
    const x = tensor([0, 1], { dtype: 'float32' });
    const ok = gradcheck(tanh, [x]);
    expect(formatReport(ok)).toMatch(/^gradcheck\(tanh\) passed: 0 mismatches/);
    expect(formatReport(ok)).toContain('warning: float32 storage');
    const zeroBad = defineOp({ name: 'zeroBad', arity: 1, forward: ([v]) => v, backward: (g) => [kernels.unary(g, (q) => q + 1)] });
    expect(formatReport(gradcheck(zeroBad, [tensor([1, 2])]))).toContain('[zero-gradient] input 0: a zero upstream gradient gives 1');
  });
});

describe('checkOp', () => {
  const cases = broadcastPairArb({ maxRank: 2, maxDim: 3 })
    .chain(([sa, sb]) => fc.tuple(tensorArb(sa), tensorArb(sb)))
    .map((inputs) => ({ inputs }));

  it('passes for a correct op with default cases from its arity, and with given cases', () => {
    fc.assert(checkOp(tanh), { numRuns: 50 });
    const mul = defineOp({
      name: 'mulGood',
      arity: 2,
      forward: ([a, b]) => kernels.mul(a, b),
      backward: (g, { inputs: [a, b] }, needs) => [
        needs[0] ? kernels.sumTo(kernels.mul(g, b), a.shape) : null,
        needs[1] ? kernels.sumTo(kernels.mul(g, a), b.shape) : null,
      ],
    });
    fc.assert(checkOp(mul, { cases }), { numRuns: 100 });
  });

  it('fails with fast-check\'s seed and path, the gradcheck report, and the case printed as code that replays it', () => {
    // ∂b forgets to sum over the broadcast axes: caught as soon as b is broadcast.
    const mulNoSum = defineOp({
      name: 'mulNoSum',
      arity: 2,
      forward: ([a, b]) => kernels.mul(a, b),
      backward: (g, { inputs: [a, b] }, needs) => [needs[0] ? kernels.sumTo(kernels.mul(g, b), a.shape) : null, needs[1] ? kernels.mul(g, a) : null],
    });
    let error: Error | undefined;
    try {
      fc.assert(checkOp(mulNoSum, { cases }), { numRuns: 200, seed: 42 });
    } catch (e) {
      error = e as Error;
    }
    const message = error!.message;
    expect(message).toMatch(/seed: 42, path: "[\d:]+"/);
    expect(message).toMatch(/Counterexample: \[\{ inputs: \[tensor\(/);
    // fast-check 4 attaches the predicate's error as the cause (vitest prints it as "Caused by").
    expect(error!.cause).toBeInstanceOf(GradcheckError);
    expect((error!.cause as Error).message).toContain('gradcheck(mulNoSum) FAILED');
    expect((error!.cause as Error).message).toContain('[shape] input 1');
    // With includeErrorInReport, one message carries everything.
    expect(() => fc.assert(checkOp(mulNoSum, { cases }), { numRuns: 200, seed: 42, includeErrorInReport: true })).toThrow(/seed: 42[\s\S]*gradcheck\(mulNoSum\) FAILED/);
    // The printed path replays the same counterexample.
    const path = /path: "([\d:]+)"/.exec(message)![1]!;
    const replay = fc.check(checkOp(mulNoSum, { cases }), { seed: 42, path, endOnFailure: true });
    expect(replay.failed).toBe(true);
    expect(fc.stringify(replay.counterexample?.[0])).toContain('tensor(');
  });

  it('prints tensors as code that rebuilds them exactly', () => {
    const t = tensor([[0.1, -0], [1e-300, 3]], { dtype: 'float64' });
    expect(tensorSource(t)).toBe('tensor([0.1, -0, 1e-300, 3], { shape: [2, 2] })');
    expect(tensorSource(tensor(2.5, { dtype: 'float32' }))).toBe("tensor(2.5, { dtype: 'float32' })");
  });

  it('needs cases or an arity for a bare Differentiable', () => {
    const identity: Differentiable = { name: 'identity', forward: ([x]) => x!, backward: (g) => [g] };
    expect(() => checkOp(identity)).toThrow(TypeError);
    fc.assert(checkOp(identity, { arity: 1 }), { numRuns: 20 });
  });
});

describe('expectGradcheck inside @fast-check/vitest', () => {
  propTest.prop([tensorArb([3, 2])], { numRuns: 30 })('tanh passes', (x) => {
    expectGradcheck(tanh, [x]);
  });

  it('throws a GradcheckError with the report for a wrong backward', () => {
    const bad = defineOp({ name: 'halfTanh', arity: 1, forward: ([x]) => kernels.unary(x, Math.tanh), backward: (g, { output }) => [kernels.binary('h', g, output, (gv, y) => 0.5 * gv * (1 - y * y))] });
    expect(() => expectGradcheck(bad, [tensor([0.3])])).toThrow(GradcheckError);
    expect(() => expectGradcheck(bad, [tensor([0.3])])).toThrow(/gradcheck\(halfTanh\) FAILED/);
  });
});
