/**
 * The checker is itself checked: every classic backward bug, planted in an otherwise correct op, is
 * caught — in full mode and, where it matters, in projection mode on inputs too large for full mode.
 */
import { describe, expect, it } from 'vitest';
import { type Tensor, Tensor as T, add, defineOp, kernels, matmul, randn, relu, sigmoid, tensor, uniform } from '../../src/index.js';
import { type GradcheckReport, type InvariantFailure, gradcheck } from '../../src/testing/index.js';

const stableSigmoid = (v: number): number => (v >= 0 ? 1 / (1 + Math.exp(-v)) : Math.exp(v) / (1 + Math.exp(v)));

/** A sigmoid whose backward is `bug(correct gradient, index, x)`. */
function sigmoidWith(name: string, bug: (d: number, i: number, x: number) => number) {
  return defineOp({
    name,
    arity: 1,
    forward: ([x]) => kernels.unary(x, stableSigmoid),
    backward: (g, { inputs: [x], output }) => {
      const d = new Float64Array(x.size);
      for (let i = 0; i < d.length; i++) {
        const s = output.data[i]!;
        d[i] = bug(g.data[i]! * s * (1 - s), i, x.data[i]!);
      }
      return [new T(d, x.shape)];
    },
  });
}

const checks = (r: GradcheckReport): InvariantFailure['check'][] => r.invariantFailures.map((f) => f.check);
const small = randn([3, 4], { seed: 11 });
const large = randn([30, 40], { seed: 12 });

describe('planted bugs are caught', () => {
  it('a factor off (2× the gradient), in full and projection mode', () => {
    const op = sigmoidWith('twice', (d) => 2 * d);
    for (const x of [small, large]) {
      const r = gradcheck(op, [x]);
      expect(r.ok).toBe(false);
      expect(r.failureCount).toBeGreaterThan(0);
      expect(r.mode).toBe(x === small ? 'full' : 'projection');
    }
  });

  it('a subtle factor (1 + 1e-4) that PyTorch tolerances (rtol 1e-3) would accept', () => {
    const op = sigmoidWith('slightlyOff', (d) => d * (1 + 1e-4));
    expect(gradcheck(op, [small]).ok).toBe(false);
    expect(gradcheck(op, [large]).ok).toBe(false);
    // The same check with PyTorch's settings lets it through.
    expect(gradcheck(op, [small], { step: 1e-6, rtol: 1e-3, atol: 1e-5, kinks: 'ignore' }).ok).toBe(true);
  });

  it('one element with its sign flipped, found at its multi-index even in projection mode', () => {
    const op = sigmoidWith('oneFlipped', (d, i) => (i === 437 ? -d : d));
    const full = gradcheck(sigmoidWith('oneFlippedSmall', (d, i) => (i === 7 ? -d : d)), [small]);
    expect(full.ok).toBe(false);
    expect(full.failureCount).toBe(1);
    expect(full.failures[0]!.index).toEqual([1, 3]);
    const r = gradcheck(op, [large]);
    expect(r.mode).toBe('projection');
    expect(r.ok).toBe(false);
    const located = r.failures.filter((f) => f.index !== undefined);
    expect(located.map((f) => f.index)).toEqual([[10, 37]]);
  });

  it('a missing transpose in a matmul backward (reshape used for transpose; non-square shapes)', () => {
    const badMatmul = defineOp({
      name: 'badMatmul',
      arity: 2,
      forward: ([a, b]) => kernels.matmul(a, b),
      backward: (g, { inputs: [a, b] }) => [
        // NOTE the bug: bᵀ written as a reshape of b, which has the right shape and the wrong layout.
        kernels.matmul(g, kernels.reshape(b, [b.shape[1]!, b.shape[0]!])),
        kernels.matmul(a, g, { transposeA: true }),
      ],
    });
    const r = gradcheck(badMatmul, [randn([2, 3], { seed: 1 }), randn([3, 4], { seed: 2 })]);
    expect(r.ok).toBe(false);
    expect(r.failures.every((f) => f.input === 0)).toBe(true);
    expect(gradcheck(matmul, [randn([2, 3], { seed: 1 }), randn([3, 4], { seed: 2 })]).ok).toBe(true);
  });

  it('a transpose forgotten altogether (the backward throws) is an invariant failure, not a crash', () => {
    const noTranspose = defineOp({
      name: 'noTranspose',
      arity: 2,
      forward: ([a, b]) => kernels.matmul(a, b),
      backward: (g, { inputs: [a] }, needs) => [needs[0] ? kernels.matmul(g, a) : null, null],
    });
    const r = gradcheck(noTranspose, [randn([2, 3], { seed: 1 }), randn([3, 4], { seed: 2 })]);
    expect(r.ok).toBe(false);
    expect(checks(r)).toContain('backward-threw');
  });

  it('a missing broadcast reduction (gradient with the output shape)', () => {
    const badAdd = defineOp({
      name: 'badAdd',
      arity: 2,
      forward: ([a, b]) => kernels.add(a, b),
      backward: (g) => [g, g],
    });
    const r = gradcheck(badAdd, [randn([3, 4], { seed: 1 }), randn([4], { seed: 2 })]);
    expect(r.ok).toBe(false);
    expect(r.invariantFailures).toContainEqual(expect.objectContaining({ check: 'shape', input: 1 }));
    expect(gradcheck(add, [randn([3, 4], { seed: 1 }), randn([4], { seed: 2 })]).ok).toBe(true);
  });

  it('kinks handled wrongly: relu with gradient 1 at x < 0, abs with the sign of its derivative wrong', () => {
    const leaky = defineOp({
      name: 'reluOneBelow',
      arity: 1,
      forward: ([x]) => kernels.unary(x, (v) => Math.max(v, 0)),
      backward: (g) => [g],
    });
    const badAbs = defineOp({
      name: 'badAbs',
      arity: 1,
      forward: ([x]) => kernels.unary(x, Math.abs),
      backward: (g, { inputs: [x] }) => [kernels.binary('badAbs', g, x, (gv, xv) => -Math.sign(xv) * gv)],
    });
    const x = tensor([-2, -0.5, 0.3, 1.5, -3e-3, 4e-3]);
    const r1 = gradcheck(leaky, [x]);
    expect(r1.ok).toBe(false);
    expect(r1.failures.map((f) => f.index)).toEqual([[0], [1], [4]]);
    const r2 = gradcheck(badAbs, [x]);
    expect(r2.ok).toBe(false);
    expect(r2.failureCount).toBe(6);
    // The correct relu passes on the same points, and at the kink itself.
    expect(gradcheck(relu, [x]).ok).toBe(true);
    expect(gradcheck(relu, [tensor([0, -1, 1, 0])]).ok).toBe(true);
  });

  it('a non-reentrant backward (noise far below any finite-difference tolerance)', () => {
    const op = sigmoidWith('noisy', (d) => d + Math.random() * 1e-15);
    const r = gradcheck(op, [small]);
    expect(r.ok).toBe(false);
    expect(checks(r)).toContain('reentrant');
    expect(r.failureCount).toBe(0);
  });

  it('a backward that writes into its input, into g, or a forward that writes into its input', () => {
    const intoInput = defineOp({
      name: 'intoInput',
      arity: 1,
      forward: ([x]) => kernels.unary(x, (v) => v * v),
      backward: (g, { inputs: [x] }) => {
        for (let i = 0; i < x.size; i++) x.data[i] = 2 * x.data[i]! * g.data[i]!;
        return [new T(x.data.slice(), x.shape)];
      },
    });
    const intoG = defineOp({
      name: 'intoG',
      arity: 1,
      forward: ([x]) => kernels.unary(x, (v) => v * v),
      backward: (g, { inputs: [x] }) => {
        for (let i = 0; i < x.size; i++) g.data[i] = 2 * x.data[i]! * g.data[i]!;
        return [g];
      },
    });
    const forwardWrites = defineOp({
      name: 'forwardWrites',
      arity: 1,
      forward: ([x]) => {
        x.data[0] = 0;
        return kernels.unary(x, (v) => v * v);
      },
      backward: (g, { inputs: [x] }) => [kernels.binary('fw', g, x, (gv, xv) => 2 * xv * gv)],
    });
    for (const op of [intoInput, intoG, forwardWrites]) {
      const x = randn([2, 3], { seed: 4 });
      const before = x.data.slice();
      const r = gradcheck(op, [x]);
      expect(r.ok).toBe(false);
      expect(checks(r)).toContain('mutation');
      if (op === intoInput) expect(x.data).not.toEqual(before);
    }
  });

  it('a gradient of the wrong dtype', () => {
    const op = defineOp({
      name: 'float64Grad',
      arity: 1,
      forward: ([x]) => kernels.unary(x, (v) => 3 * v),
      // NOTE the bug: the gradient is computed and returned in float64 whatever the input's dtype.
      backward: (g) => [kernels.scale(g, 3).astype('float64')],
    });
    const r = gradcheck(op, [randn([4], { seed: 1, dtype: 'float32' })]);
    expect(r.ok).toBe(false);
    expect(r.invariantFailures).toContainEqual(expect.objectContaining({ check: 'dtype', input: 0 }));
  });

  it('a nonzero gradient for a zero upstream gradient (weight decay added in the backward)', () => {
    const op = defineOp({
      name: 'decayInBackward',
      arity: 1,
      forward: ([x]) => kernels.unary(x, (v) => 3 * v),
      backward: (g, { inputs: [x] }) => [kernels.binary('decay', g, x, (gv, xv) => 3 * gv + 1e-3 * xv)],
    });
    const r = gradcheck(op, [randn([5], { seed: 3 })]);
    expect(r.ok).toBe(false);
    expect(checks(r)).toContain('zero-gradient');
  });

  it('a null where a gradient was needed, and gradients compacted when fewer are needed', () => {
    const dropsB = defineOp({
      name: 'dropsB',
      arity: 2,
      forward: ([a, b]) => kernels.mul(a, b),
      backward: (g, { inputs: [a, b] }) => [kernels.mul(g, b), null],
    });
    expect(checks(gradcheck(dropsB, [randn([3], { seed: 1 }), randn([3], { seed: 2 })]))).toContain('missing-gradient');
    const compacts = defineOp({
      name: 'compacts',
      arity: 2,
      forward: ([a, b]) => kernels.mul(a, b),
      // NOTE the bug: returns only the needed gradients, so b's lands in a's slot when only b is needed.
      backward: (g, { inputs: [a, b] }, needs) => [needs[0] ? kernels.mul(g, b) : null, needs[1] ? kernels.mul(g, a) : null].filter((t): t is Tensor => t !== null),
    });
    const r = gradcheck(compacts, [randn([3], { seed: 1 }), randn([3], { seed: 2 })]);
    expect(r.ok).toBe(false);
    expect(checks(r)).toContain('needs');
  });

  it('a forward that is not deterministic', () => {
    const op = defineOp({
      name: 'dropout',
      arity: 1,
      forward: ([x]) => kernels.unary(x, (v) => (Math.random() < 0.5 ? 0 : 2 * v)),
      backward: (g) => [g],
    });
    expect(checks(gradcheck(op, [uniform([8], 1, 2, { seed: 1 })]))).toContain('deterministic-forward');
  });

  it('the correct versions pass: sigmoid on small and large inputs, float32 included', () => {
    for (const x of [small, large, randn([3, 4], { seed: 5, dtype: 'float32' }), randn([30, 40], { seed: 6, dtype: 'float32' })]) {
      const r = gradcheck(sigmoid, [x]);
      expect(r.ok, r.ok ? '' : JSON.stringify(r.failures[0])).toBe(true);
    }
  });
});
