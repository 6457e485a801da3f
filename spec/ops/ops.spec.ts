/**
 * Hand-checked values for every built-in op: forward on small examples (attrs and reductions
 * included), a few hand-derived gradients, the backward contract (needs, shape, dtype, no writes),
 * error messages, and extreme inputs. Finite-difference checks live with the gradient checker.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { type NestedArray, type Tensor, firstMismatch, onesLike, tensor } from '../../src/tensor/index.js';
import * as ops from '../../src/ops/index.js';
import { type AnyOp, type OpName, OpError, registry } from '../../src/ops/index.js';

const LN2 = Math.LN2, LN3 = Math.log(3);

/** Forward, then backward with g (default ones) and every differentiable input asked for. */
function run(op: AnyOp, inputs: Tensor[], attrs: object = {}, g?: Tensor): { out: Tensor; grads: (Tensor | null)[] } {
  const out = op.apply(inputs, attrs);
  const needs = inputs.map((_, i) => op.isDifferentiable(i));
  const grads = [...op.backward(g ?? onesLike(out), { inputs, output: out, attrs }, needs)];
  return { out, grads };
}

/** Elementwise |a − e| ≤ atol + rtol·|e| with equal shapes; infinities and NaN must match exactly. */
function expectClose(actual: Tensor | null | undefined, expected: NestedArray, rtol = 1e-14, atol = 0): void {
  expect(actual).toBeTruthy();
  const e = tensor(expected as number[]);
  expect(actual!.shape).toEqual(e.shape);
  const m = firstMismatch(actual!, e, { rtol, atol, equalNaN: true });
  expect(m, m ? `element ${m.index}: ${m.actual} vs ${m.expected}` : '').toBeNull();
}

/** Runs fn and returns the OpError it throws. */
function opError(fn: () => unknown): OpError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(OpError);
    return e as OpError;
  }
  throw new Error('expected an OpError');
}

const sig = (x: number): number => 1 / (1 + Math.exp(-x));
const Phi = (x: number): number => [0.15865525393145705, 0.5, 0.8413447460685429][x + 1]!; // mpmath, x ∈ {−1, 0, 1}
const phi1 = 0.24197072451914334; // φ(±1), mpmath

/** One valid call per op: the table is keyed by OpName, so a new op without a sample fails to compile. */
const SAMPLES: Record<OpName, { inputs: () => Tensor[]; attrs?: object }> = {
  abs: { inputs: () => [tensor([-1.5, 2])] },
  add: { inputs: () => [tensor([[1, 2], [3, 4]]), tensor([1, 2])] },
  affine: { inputs: () => [tensor([[1, 2], [3, 4]]), tensor([[1, 0, -1], [2, 1, 0]]), tensor([0.5, -0.5, 1])] },
  bce: { inputs: () => [tensor([0.2, 0.7]), tensor([0, 1])] },
  bceWithLogits: { inputs: () => [tensor([[-1, 2]]), tensor([[0, 1]])], attrs: { posWeight: [2, 3] } },
  concat: { inputs: () => [tensor([[1, 2]]), tensor([[3, 4], [5, 6]])] },
  crossEntropy: { inputs: () => [tensor([[1, 2, 3], [0, 0, 1]]), tensor([2, 0])], attrs: { weight: [1, 2, 3] } },
  dense: { inputs: () => [tensor([[1, 2], [3, 4]]), tensor([[1, 0, -1], [2, 1, 0]]), tensor([0.5, -0.5, 1])], attrs: { activation: 'tanh' } },
  div: { inputs: () => [tensor([[1, 2], [3, 4]]), tensor([[2], [4]])] },
  elu: { inputs: () => [tensor([-1, 2])] },
  exp: { inputs: () => [tensor([0, 1])] },
  gelu: { inputs: () => [tensor([-1, 1])] },
  huber: { inputs: () => [tensor([0, 3]), tensor([0.5, 0])] },
  l1: { inputs: () => [tensor([1, 2]), tensor([0, 4])] },
  leakyRelu: { inputs: () => [tensor([-1, 2])] },
  log: { inputs: () => [tensor([1, 2])] },
  logSoftmax: { inputs: () => [tensor([[1, 2, 3]])] },
  matmul: { inputs: () => [tensor([[1, 2], [3, 4], [5, 6]]), tensor([1, -1])] },
  max: { inputs: () => [tensor([[1, 3], [3, 2]])], attrs: { axes: 0 } },
  mean: { inputs: () => [tensor([[1, 2], [3, 4]])], attrs: { axes: -1 } },
  mse: { inputs: () => [tensor([1, 2]), tensor([0, 4])] },
  mul: { inputs: () => [tensor([1, 2, 3]), tensor(2)] },
  neg: { inputs: () => [tensor([1, -2])] },
  nll: { inputs: () => [tensor([[-1, -2], [-0.5, -1]]), tensor([1, 0])] },
  pow: { inputs: () => [tensor([1.5, 2])], attrs: { exponent: 3 } },
  relu: { inputs: () => [tensor([-1, 2])] },
  reshape: { inputs: () => [tensor([1, 2, 3, 4, 5, 6])], attrs: { shape: [3, -1] } },
  sigmoid: { inputs: () => [tensor([-1, 2])] },
  slice: { inputs: () => [tensor([[1, 2, 3], [4, 5, 6]])], attrs: { start: [1, -2] } },
  softmax: { inputs: () => [tensor([[1, 2], [3, 5]])], attrs: { axis: 0 } },
  softplus: { inputs: () => [tensor([-1, 2])] },
  sqrt: { inputs: () => [tensor([1, 4])] },
  square: { inputs: () => [tensor([-1, 2])] },
  sub: { inputs: () => [tensor([1, 2]), tensor([[1], [2], [3]])] },
  sum: { inputs: () => [tensor([[1, 2], [3, 4]])], attrs: { axes: 0, keepdims: true } },
  tanh: { inputs: () => [tensor([-1, 2])] },
  transpose: { inputs: () => [tensor([[[1, 2, 3]], [[4, 5, 6]]])], attrs: { perm: [2, 0, 1] } },
};

const CONTRACT = [
  'add', 'sub', 'mul', 'div', 'neg', 'exp', 'log', 'sqrt', 'abs', 'square', 'pow', 'sigmoid', 'tanh', 'relu', 'leakyRelu', 'elu',
  'softplus', 'gelu', 'softmax', 'logSoftmax', 'sum', 'mean', 'max', 'matmul', 'affine', 'dense', 'transpose', 'reshape', 'concat', 'slice', 'mse', 'l1',
  'huber', 'bce', 'bceWithLogits', 'crossEntropy', 'nll',
];

describe('registry', () => {
  it('holds exactly the contract’s ops, in alphabetical order', () => {
    const names = Object.keys(registry);
    expect([...names].sort()).toEqual([...CONTRACT].sort());
    expect(names).toEqual([...names].sort());
    for (const [name, op] of Object.entries(registry)) expect(op.name).toBe(name);
  });

  it('lists, and the package exports, every op defined in src/ops/', () => {
    const dir = fileURLToPath(new URL('../../src/ops/', import.meta.url));
    const exported = ops as unknown as Record<string, unknown>;
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
      for (const [, name] of readFileSync(dir + file, 'utf8').matchAll(/export const (\w+) = defineOp/g)) {
        expect(registry, `${file} defines ${name}`).toHaveProperty(name!);
        expect(exported[name!], `${name} is exported`).toBe(registry[name as OpName]);
        const kebab = name!.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
        expect(file).toBe(`${kebab}.ts`);
      }
    }
  });
});

describe('backward contract (every op)', () => {
  for (const name of Object.keys(SAMPLES) as OpName[]) {
    const op = registry[name] as AnyOp;
    const { inputs: make, attrs = {} } = SAMPLES[name];

    it(`${name}: gradients only where asked, each with its input’s shape and dtype; nothing is written`, () => {
      const inputs = make().map((t) => t.astype('float32'));
      const snapshot = inputs.map((t) => Array.from(t.data));
      const out = op.apply(inputs, attrs);
      expect(out.dtype).toBe('float32');
      const g = onesLike(out).astype('float64'); // a float64 gradient must still come back as float32
      const gBefore = Array.from(g.data);
      const all = op.backward(g, { inputs, output: out, attrs }, inputs.map((_, i) => op.isDifferentiable(i)));
      expect(all.length).toBe(inputs.length);
      all.forEach((d, i) => {
        if (!op.isDifferentiable(i)) return expect(d).toBeNull();
        expect(d, `input ${i}`).not.toBeNull();
        expect(d!.shape).toEqual(inputs[i]!.shape);
        expect(d!.dtype).toBe('float32');
      });
      for (let i = 0; i < inputs.length; i++) {
        const only = op.backward(g, { inputs, output: out, attrs }, inputs.map((_, j) => j === i && op.isDifferentiable(j)));
        only.forEach((d, j) => (j === i && op.isDifferentiable(j) ? expect(d).not.toBeNull() : expect(d).toBeNull()));
        if (op.isDifferentiable(i)) expect(Array.from(only[i]!.data)).toEqual(Array.from(all[i]!.data));
      }
      expect(op.backward(g, { inputs, output: out, attrs }, inputs.map(() => false)).every((d) => d === null)).toBe(true);
      expect(inputs.map((t) => Array.from(t.data))).toEqual(snapshot);
      expect(Array.from(g.data)).toEqual(gBefore);
    });

    it(`${name}: a reusable result array (into) gives the same gradients, and stale entries are overwritten`, () => {
      const inputs = make();
      const out = op.apply(inputs, attrs);
      const g = onesLike(out);
      const needs = inputs.map((_, i) => op.isDifferentiable(i));
      const plain = op.backward(g, { inputs, output: out, attrs }, needs);
      const stale = tensor([123]);
      const into: (Tensor | null)[] = inputs.map(() => stale);
      const reused = op.backward(g, { inputs, output: out, attrs }, needs, into);
      expect(reused.map((d) => (d === null ? null : Array.from(d.data)))).toEqual(plain.map((d) => (d === null ? null : Array.from(d.data))));
      if (reused === into) expect(into.includes(stale)).toBe(false);
      // Asked for nothing, an op that uses the array clears it too.
      const none = op.backward(g, { inputs, output: out, attrs }, inputs.map(() => false), into);
      expect(none.every((d) => d === null)).toBe(true);
    });
  }
});

describe('elementwise arithmetic', () => {
  it('sub, with the subtrahend’s gradient negated and summed over its broadcast axis', () => {
    const { out, grads } = run(ops.sub, [tensor([[1, 2], [3, 4]]), tensor([10, 20])], {}, tensor([[1, 2], [3, 4]]));
    expectClose(out, [[-9, -18], [-7, -16]]);
    expectClose(grads[0], [[1, 2], [3, 4]]);
    expectClose(grads[1], [-4, -6]);
  });

  it('mul: each side gets g times the other, summed back to its shape', () => {
    const { out, grads } = run(ops.mul, [tensor([[1, 2], [3, 4]]), tensor([10, 100])]);
    expectClose(out, [[10, 200], [30, 400]]);
    expectClose(grads[0], [[10, 100], [10, 100]]);
    expectClose(grads[1], [4, 6]);
  });

  it('div: ∂a = g/b, ∂b = −Σ g·a/b²', () => {
    const { out, grads } = run(ops.div, [tensor([1, 3]), tensor(2)]);
    expectClose(out, [0.5, 1.5]);
    expectClose(grads[0], [0.5, 0.5]);
    expectClose(grads[1], -1);
    expectClose(ops.div(tensor([1, -1, 0]), tensor(0)), [Infinity, -Infinity, Number.NaN]);
  });

  it('neg, exp, log, sqrt, abs, square', () => {
    let r = run(ops.neg, [tensor([1, -2])]);
    expectClose(r.out, [-1, 2]);
    expectClose(r.grads[0], [-1, -1]);
    r = run(ops.exp, [tensor([0, 1])], {}, tensor([2, 3]));
    expectClose(r.out, [1, Math.E]);
    expectClose(r.grads[0], [2, 3 * Math.E]);
    r = run(ops.log, [tensor([1, Math.E, 0, -1])]);
    expectClose(r.out, [0, 1, -Infinity, Number.NaN]);
    expectClose(r.grads[0], [1, 1 / Math.E, Infinity, -1]);
    r = run(ops.sqrt, [tensor([4, 9, 0])]);
    expectClose(r.out, [2, 3, 0]);
    expectClose(r.grads[0], [0.25, 1 / 6, Infinity]);
    expect(ops.sqrt(tensor([-1])).data[0]).toBeNaN();
    r = run(ops.abs, [tensor([-2, 0, 3])]);
    expectClose(r.out, [2, 0, 3]);
    expectClose(r.grads[0], [-1, 0, 1]);
    r = run(ops.square, [tensor([-3, 2])]);
    expectClose(r.out, [9, 4]);
    expectClose(r.grads[0], [-6, 4]);
  });

  it('pow follows Math.pow, with p·x^(p−1) and exactly 0 for p = 0', () => {
    let r = run(ops.pow, [tensor([2, -1])], { exponent: 3 });
    expectClose(r.out, [8, -1]);
    expectClose(r.grads[0], [12, 3]);
    r = run(ops.pow, [tensor([4, -4])], { exponent: 0.5 });
    expectClose(r.out, [2, Number.NaN]);
    expectClose(r.grads[0], [0.25, Number.NaN]);
    r = run(ops.pow, [tensor([0, 5])], { exponent: 0 });
    expectClose(r.out, [1, 1]);
    expectClose(r.grads[0], [0, 0]);
    r = run(ops.pow, [tensor([0])], { exponent: -1 });
    expectClose(r.out, [Infinity]);
    expectClose(r.grads[0], [-Infinity]);
  });
});

describe('activations', () => {
  it('sigmoid and tanh, with slopes σ(1 − σ) and 1 − tanh²', () => {
    let r = run(ops.sigmoid, [tensor([0, LN3])]);
    expectClose(r.out, [0.5, 0.75]);
    expectClose(r.grads[0], [0.25, 0.1875]);
    r = run(ops.tanh, [tensor([0, Math.LN2])]);
    expectClose(r.out, [0, 0.6]);
    expectClose(r.grads[0], [1, 0.64]);
  });

  it('relu: 0 below and at 0 (not ½), NaN passes through', () => {
    const r = run(ops.relu, [tensor([-1, 0, 2, Number.NaN])]);
    expectClose(r.out, [0, 0, 2, Number.NaN]);
    expectClose(r.grads[0], [0, 0, 1, 0]);
  });

  it('leakyRelu: slope 0.01 by default, the slope at 0 too', () => {
    let r = run(ops.leakyRelu, [tensor([-10, 0, 3])]);
    expectClose(r.out, [-0.1, 0, 3]);
    expectClose(r.grads[0], [0.01, 0.01, 1]);
    r = run(ops.leakyRelu, [tensor([-10, 3])], { slope: 0.2 });
    expectClose(r.out, [-2, 3]);
    expectClose(r.grads[0], [0.2, 1]);
  });

  it('elu: α(eˣ − 1) below 0 with slope αeˣ', () => {
    let r = run(ops.elu, [tensor([-1, 0, 2])]);
    expectClose(r.out, [Math.exp(-1) - 1, 0, 2]);
    expectClose(r.grads[0], [Math.exp(-1), 1, 1]);
    r = run(ops.elu, [tensor([-LN2])], { alpha: 0.5 });
    expectClose(r.out, [-0.25]);
    expectClose(r.grads[0], [0.25]);
    expect(ops.elu(tensor([-1e-10])).data[0]).toBe(-1e-10 + 5e-21); // expm1, not exp − 1
  });

  it('softplus: (1/β)·log(1 + e^(βx)), the identity above the threshold', () => {
    let r = run(ops.softplus, [tensor([0, LN3, 25])]);
    expectClose(r.out, [LN2, Math.log(4), 25]);
    expectClose(r.grads[0], [0.5, 0.75, 1]);
    r = run(ops.softplus, [tensor([0, 5, 15])], { beta: 2 });
    expectClose(r.out, [LN2 / 2, Math.log1p(Math.exp(10)) / 2, 15]);
    expectClose(r.grads[0], [0.5, sig(10), 1]);
    r = run(ops.softplus, [tensor([25])], { threshold: 30 });
    expectClose(r.out, [25 + Math.log1p(Math.exp(-25))]);
    expectClose(r.grads[0], [sig(25)]);
  });

  it('gelu: exact x·Φ(x) with slope Φ + x·φ, and the tanh form', () => {
    let r = run(ops.gelu, [tensor([-1, 0, 1])]);
    expectClose(r.out, [-Phi(-1), 0, Phi(1)]);
    expectClose(r.grads[0], [Phi(-1) - phi1, 0.5, Phi(1) + phi1]);
    r = run(ops.gelu, [tensor([1, -2])], { approximate: 'tanh' });
    const k = Math.sqrt(2 / Math.PI);
    const form = (x: number) => 0.5 * x * (1 + Math.tanh(k * (x + 0.044715 * x ** 3)));
    const slope = (x: number) => {
      const t = Math.tanh(k * (x + 0.044715 * x ** 3));
      return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * k * (1 + 3 * 0.044715 * x * x);
    };
    expectClose(r.out, [form(1), form(-2)], 1e-13);
    expectClose(r.grads[0], [slope(1), slope(-2)], 1e-13);
  });

  it('gelu keeps its left tail where ½(1 + erf) cancels to 0', () => {
    // −10·Φ(−10) with Φ(−10) = 7.619853024160525e-24 (mpmath).
    expectClose(ops.gelu(tensor([-10])), [-7.619853024160525e-23], 1e-13);
    expect(ops.gelu(tensor([-10]), { approximate: 'tanh' }).data[0]).toBeLessThan(0);
  });
});

describe('softmax family', () => {
  it('softmax along the last axis or any other; backward y ⊙ (g − Σ g·y)', () => {
    let r = run(ops.softmax, [tensor([[0, LN3]])], {}, tensor([[1, 0]]));
    expectClose(r.out, [[0.25, 0.75]]);
    expectClose(r.grads[0], [[0.1875, -0.1875]]);
    r = run(ops.softmax, [tensor([[0], [LN3]])], { axis: 0 });
    expectClose(r.out, [[0.25], [0.75]]);
    expectClose(r.grads[0], [[0], [0]], 0, 1e-16); // ones · softmax Jacobian = 0
  });

  it('logSoftmax; backward g − softmax·Σg', () => {
    let r = run(ops.logSoftmax, [tensor([0, LN3])], {}, tensor([1, 0]));
    expectClose(r.out, [Math.log(0.25), Math.log(0.75)]);
    expectClose(r.grads[0], [0.75, -0.75]);
    r = run(ops.logSoftmax, [tensor([[0, 1], [0, 1]])], { axis: -2 });
    expectClose(r.out, [[-LN2, -LN2], [-LN2, -LN2]]);
    expectClose(r.grads[0], [[0, 0], [0, 0]]);
  });
});

describe('reductions', () => {
  const m = tensor([[1, 2, 3], [4, 5, 6]]);

  it('sum over all, some or negative axes; keepdims; gradient broadcast back', () => {
    expectClose(ops.sum(m), 21);
    expectClose(ops.sum(m, { axes: -1 }), [6, 15]);
    expectClose(ops.sum(m, { axes: [0, 1], keepdims: true }), [[21]]);
    const r = run(ops.sum, [m], { axes: 0 }, tensor([1, 2, 3]));
    expectClose(r.grads[0], [[1, 2, 3], [1, 2, 3]]);
  });

  it('mean divides the gradient by the count', () => {
    let r = run(ops.mean, [tensor([[1, 2], [3, 4]])], { axes: 0 });
    expectClose(r.out, [2, 3]);
    expectClose(r.grads[0], [[0.5, 0.5], [0.5, 0.5]]);
    r = run(ops.mean, [tensor([[1, 2], [3, 4]])]);
    expectClose(r.out, 2.5);
    expectClose(r.grads[0], [[0.25, 0.25], [0.25, 0.25]]);
    r = run(ops.mean, [m], { axes: 1, keepdims: true }, tensor([[3], [6]]));
    expectClose(r.out, [[2], [5]]);
    expectClose(r.grads[0], [[1, 1, 1], [2, 2, 2]]);
  });

  it('max sends g to the maximum, shared equally among ties (g/k)', () => {
    let r = run(ops.max, [tensor([[1, 5, 5], [7, 2, 7]])], { axes: 1 }, tensor([6, 2]));
    expectClose(r.out, [5, 7]);
    expectClose(r.grads[0], [[0, 3, 3], [1, 0, 1]]);
    r = run(ops.max, [tensor([3, 3, 3, 3, 1])]);
    expectClose(r.out, 3);
    expectClose(r.grads[0], [0.25, 0.25, 0.25, 0.25, 0]);
    r = run(ops.max, [tensor([[1, 9], [8, 2]])], { axes: 0, keepdims: true });
    expectClose(r.out, [[8, 9]]);
    expectClose(r.grads[0], [[0, 1], [1, 0]]);
  });
});

describe('matmul and shape ops', () => {
  it('matmul: ∂a = g·bᵀ, ∂b = aᵀ·g, vectors and batches included', () => {
    let r = run(ops.matmul, [tensor([[1, 2]]), tensor([[3], [4]])]);
    expectClose(r.out, [[11]]);
    expectClose(r.grads[0], [[3, 4]]);
    expectClose(r.grads[1], [[1], [2]]);
    r = run(ops.matmul, [tensor([1, 2]), tensor([3, 4])]);
    expectClose(r.out, 11);
    expectClose(r.grads[0], [3, 4]);
    r = run(ops.matmul, [tensor([[[1, 0], [0, 1]], [[2, 0], [0, 2]]]), tensor([[1, 2], [3, 4]])]);
    expectClose(r.out, [[[1, 2], [3, 4]], [[2, 4], [6, 8]]]);
    expectClose(r.grads[1], [[3, 3], [3, 3]]); // Σ over the batch of aᵀ·1
  });

  it('transpose: last two axes by default, a permutation when given; backward inverts it', () => {
    let r = run(ops.transpose, [tensor([[1, 2, 3]])], {}, tensor([[10], [20], [30]]));
    expectClose(r.out, [[1], [2], [3]]);
    expectClose(r.grads[0], [[10, 20, 30]]);
    const x = tensor(Array.from({ length: 6 }, (_, i) => i), { shape: [1, 2, 3] });
    r = run(ops.transpose, [x], { perm: [2, 0, 1] }, tensor(Array.from({ length: 6 }, (_, i) => 10 * i), { shape: [3, 1, 2] }));
    expect(r.out.shape).toEqual([3, 1, 2]);
    expectClose(r.out, [[[0, 3]], [[1, 4]], [[2, 5]]]);
    expectClose(r.grads[0], [[[0, 20, 40], [10, 30, 50]]]);
    expectClose(ops.transpose(tensor([1, 2])), [1, 2]);
  });

  it('reshape infers -1; its gradient takes the input’s shape', () => {
    const r = run(ops.reshape, [tensor([1, 2, 3, 4])], { shape: [2, -1] }, tensor([[5, 6], [7, 8]]));
    expectClose(r.out, [[1, 2], [3, 4]]);
    expectClose(r.grads[0], [5, 6, 7, 8]);
  });

  it('concat splits g back into the blocks each input filled', () => {
    const a = tensor([[1], [2]]), b = tensor([[3, 4], [5, 6]]);
    const r = run(ops.concat, [a, b], { axis: -1 }, tensor([[10, 20, 30], [40, 50, 60]]));
    expectClose(r.out, [[1, 3, 4], [2, 5, 6]]);
    expectClose(r.grads[0], [[10], [40]]);
    expectClose(r.grads[1], [[20, 30], [50, 60]]);
    expectClose(ops.concat([tensor([1, 2]), tensor([3])]), [1, 2, 3]);
  });

  it('slice: Python bounds; g lands in the block, zeros elsewhere', () => {
    let r = run(ops.slice, [tensor([1, 2, 3, 4])], { start: [1], end: [-1] }, tensor([7, 8]));
    expectClose(r.out, [2, 3]);
    expectClose(r.grads[0], [0, 7, 8, 0]);
    r = run(ops.slice, [tensor([[1, 2, 3], [4, 5, 6]])], { start: [-1, 1], end: [99] });
    expectClose(r.out, [[5, 6]]);
    expectClose(r.grads[0], [[0, 0, 0], [0, 1, 1]]);
  });
});

describe('regression losses', () => {
  const p = tensor([1, 2]), y = tensor([1, 4]);

  it('mse with each reduction', () => {
    expectClose(ops.mse(p, y), 2);
    expectClose(ops.mse(p, y, { reduction: 'sum' }), 4);
    expectClose(ops.mse(p, y, { reduction: 'none' }), [0, 4]);
    const r = run(ops.mse, [p, y]);
    expectClose(r.grads[0], [0, -2]);
    expectClose(r.grads[1], [0, 2]);
  });

  it('l1 with each reduction; 0 gradient where p = y', () => {
    const y5 = tensor([1, 5]);
    expectClose(ops.l1(p, y5), 1.5);
    expectClose(ops.l1(p, y5, { reduction: 'sum' }), 3);
    expectClose(ops.l1(p, y5, { reduction: 'none' }), [0, 3]);
    const r = run(ops.l1, [tensor([1, 2, 3]), tensor([1, 5, 0])], { reduction: 'none' }, tensor([1, 2, 3]));
    expectClose(r.grads[0], [0, -2, 3]);
    expectClose(r.grads[1], [0, 2, -3]);
  });

  it('huber: quadratic inside δ, linear outside; gradient clamped to ±δ', () => {
    const zero = tensor([0, 0]), t = tensor([0.5, 3]);
    expectClose(ops.huber(zero, t), 1.3125);
    expectClose(ops.huber(zero, t, { reduction: 'none' }), [0.125, 2.5]);
    expectClose(ops.huber(zero, t, { delta: 2, reduction: 'sum' }), 0.125 + 4);
    let r = run(ops.huber, [zero, t], { reduction: 'sum' });
    expectClose(r.grads[0], [-0.5, -1]);
    expectClose(r.grads[1], [0.5, 1]);
    r = run(ops.huber, [zero, t], { delta: 2 });
    expectClose(r.grads[0], [-0.25, -1]);
  });
});

describe('binary cross-entropy', () => {
  it('bce on probabilities, logs clamped at −100', () => {
    expectClose(ops.bce(tensor([0.5]), tensor([1])), LN2);
    expectClose(ops.bce(tensor([0.25, 0, 1, 1, 0]), tensor([0, 1, 0, 1, 0]), { reduction: 'none' }), [-Math.log(0.75), 100, 100, 0, 0]);
    expectClose(ops.bce(tensor([0.25, 0.5]), tensor([0, 1]), { reduction: 'sum' }), LN2 - Math.log(0.75), 1e-15);
    const r = run(ops.bce, [tensor([0.25, 0]), tensor([0, 1])], { reduction: 'none' });
    expectClose(r.grads[0], [4 / 3, -1 / Math.fround(1e-12)]); // (p − y)/max(p(1 − p), fround(1e-12)), PyTorch's float EPSILON
    expectClose(r.grads[1], [LN3, 100], 1e-15); // log(1 − p) − log p, clamped
  });

  it('bceWithLogits: ℓ = max(x,0) − xy + log1p(e^(−|x|)), ∂x = σ(x) − y', () => {
    expectClose(ops.bceWithLogits(tensor([0]), tensor([1])), LN2);
    const x = tensor([2, -1]), y = tensor([0.25, 1]);
    const r = run(ops.bceWithLogits, [x, y], { reduction: 'none' });
    expectClose(r.out, [2 - 0.5 + Math.log1p(Math.exp(-2)), 1 + Math.log1p(Math.exp(-1))], 1e-15);
    expectClose(r.grads[0], [sig(2) - 0.25, sig(-1) - 1], 1e-15);
    expectClose(r.grads[1], [-2, 1]);
    expectClose(ops.bceWithLogits(x, y, { reduction: 'sum' }), r.out.data[0]! + r.out.data[1]!);
  });

  it('bceWithLogits posWeight scales the positive term (a number or one per class)', () => {
    let r = run(ops.bceWithLogits, [tensor([0]), tensor([1])], { posWeight: 3 });
    expectClose(r.out, 3 * LN2);
    expectClose(r.grads[0], [-1.5]); // (1 − y)σ(x) − pw·y·σ(−x)
    expectClose(r.grads[1], [2 * LN2]); // −x + (pw − 1)·log(1 + e^(−x))
    r = run(ops.bceWithLogits, [tensor([[0, 0], [1, -1]]), tensor([[1, 1], [0.5, 0]])], { posWeight: [1, 3], reduction: 'none' });
    const softplus = (v: number) => Math.log1p(Math.exp(v));
    expectClose(r.out, [[LN2, 3 * LN2], [0.5 * softplus(-1) + 0.5 * softplus(1), softplus(-1)]], 1e-15);
  });
});

describe('crossEntropy and nll', () => {
  const logits = tensor([[0, LN3], [0, 0]]);

  it('crossEntropy with each reduction', () => {
    expectClose(ops.crossEntropy(tensor([[0, 0]]), tensor([1])), LN2);
    expectClose(ops.crossEntropy(logits, tensor([1, 0]), { reduction: 'none' }), [Math.log(4 / 3), LN2], 1e-15);
    expectClose(ops.crossEntropy(logits, tensor([0, 0])), (Math.log(4) + LN2) / 2, 1e-15);
    expectClose(ops.crossEntropy(logits, tensor([0, 0]), { reduction: 'sum' }), Math.log(4) + LN2, 1e-15);
  });

  it('class weights: each row scaled by w_y, mean divides by Σ w_y', () => {
    const labels = tensor([0, 1]), attrs = { weight: [2, 1] };
    expectClose(ops.crossEntropy(logits, labels, { ...attrs, reduction: 'none' }), [2 * Math.log(4), LN2], 1e-15);
    expectClose(ops.crossEntropy(logits, labels, attrs), (5 * LN2) / 3, 1e-15);
    const r = run(ops.crossEntropy, [logits, labels], attrs);
    expectClose(r.grads[0], [[-0.5, 0.5], [1 / 6, -1 / 6]], 1e-15); // w_y(softmax − onehot)/Σw
    expect(r.grads[1]).toBeNull();
  });

  it('ignoreIndex drops rows from the loss, the gradient and the count; all ignored is NaN for mean', () => {
    expectClose(ops.crossEntropy(logits, tensor([0, -100])), Math.log(4), 1e-15);
    expectClose(ops.crossEntropy(logits, tensor([1, 0]), { ignoreIndex: 1 }), LN2);
    expectClose(ops.crossEntropy(logits, tensor([0, -100]), { reduction: 'none' }), [Math.log(4), 0], 1e-15);
    const r = run(ops.crossEntropy, [logits, tensor([-100, 1])]);
    expectClose(r.grads[0], [[0, 0], [0.5, -0.5]]);
    expect(ops.crossEntropy(logits, tensor([-100, -100])).item()).toBeNaN();
    expectClose(ops.crossEntropy(logits, tensor([-100, -100]), { reduction: 'sum' }), 0);
  });

  it('crossEntropy takes classes on the last axis of any rank', () => {
    const x = tensor([[[0, LN3]], [[LN3, 0]]]);
    expectClose(ops.crossEntropy(x, tensor([[1], [1]]), { reduction: 'none' }), [[Math.log(4 / 3)], [Math.log(4)]], 1e-15);
  });

  it('nll picks −w_y·x_y; gradient −ĝ·w_y at the label', () => {
    const lp = tensor([[-1, -2], [-0.5, -3]]);
    expectClose(ops.nll(tensor([[-1, -2]]), tensor([1])), 2);
    expectClose(ops.nll(lp, tensor([1, 0])), 1.25);
    expectClose(ops.nll(lp, tensor([1, 0]), { reduction: 'sum', weight: [4, 1] }), 4);
    expectClose(ops.nll(lp, tensor([1, 0]), { weight: [4, 1] }), 4 / 5);
    expectClose(ops.nll(lp, tensor([-100, 0]), { reduction: 'none' }), [0, 0.5]);
    const r = run(ops.nll, [lp, tensor([1, 0])], { weight: [4, 1] });
    expectClose(r.grads[0], [[0, -0.2], [-0.8, 0]]);
    expect(r.grads[1]).toBeNull();
    expect(ops.nll(lp, tensor([-1, -1]), { ignoreIndex: -1 }).item()).toBeNaN();
  });

  it('logSoftmax then nll equals crossEntropy', () => {
    const x = tensor([[1, -2, 0.5], [3, 3, -1]]), labels = tensor([2, 1]);
    expectClose(ops.nll(ops.logSoftmax(x), labels), ops.crossEntropy(x, labels).item(), 1e-15);
  });
});

describe('errors name the op, the problem and the shapes', () => {
  it('shape mismatches', () => {
    const e = opError(() => ops.add(tensor([1, 2]), tensor([1, 2, 3])));
    expect(e.op).toBe('add');
    expect(e.shapes).toEqual([[2], [3]]);
    expect(e.message).toBe('add: shapes [2] and [3] cannot be broadcast together (inputs [2], [3])');
    expect(opError(() => ops.mul(tensor([[1, 2]]), tensor([1, 2, 3]))).message).toMatch(/^mul: shapes \[1,2\] and \[3\]/);
    expect(opError(() => ops.matmul(tensor([[1, 2, 3]]), tensor([[1, 2]]))).message).toBe(
      'matmul: inner dimensions differ: [1,3] · [1,2] (3 ≠ 1) (inputs [1,3], [1,2])',
    );
    for (const loss of [ops.mse, ops.l1, ops.huber, ops.bce, ops.bceWithLogits] as AnyOp[]) {
      expect(opError(() => loss.apply([tensor([0.5, 0.5]), tensor([0.5])])).message).toBe(
        `${loss.name}: prediction [2] and target [1] must have the same shape (inputs [2], [1])`,
      );
    }
    expect(opError(() => ops.concat([tensor([[1, 2]]), tensor([[1]])])).message).toMatch(/^concat: shapes \[1,2\], \[1,1\] differ outside axis 0/);
    expect(opError(() => ops.reshape(tensor([1, 2, 3]), { shape: [2, -1] })).message).toMatch(/^reshape: cannot reshape \[3\]/);
  });

  it('bad labels name their position', () => {
    const x = tensor([[1, 2, 3], [4, 5, 6]]);
    for (const loss of [ops.crossEntropy, ops.nll]) {
      expect(opError(() => loss(x, tensor([0, 3]))).message).toBe(`${loss.name}: label 3 at position [1] is not an integer in [0, 3) (inputs [2,3], [2])`);
      expect(opError(() => loss(x, tensor([-2, 0]))).message).toMatch(/label -2 at position \[0\]/);
      expect(opError(() => loss(x, tensor([0, Number.NaN]))).message).toMatch(/label NaN at position \[1\]/);
      expect(opError(() => loss(x, tensor([0, 1, 2]))).message).toMatch(/scores \[2,3\] need labels of shape \[2\], got \[3\]/);
      expect(opError(() => loss(x, tensor([0, 1]), { weight: [1, 2] })).message).toMatch(/weight must be an array of 3 numbers/);
      expect(opError(() => loss(tensor(1), tensor(0))).message).toMatch(/class axis/);
    }
    const deep = opError(() => ops.crossEntropy(tensor([[[1, 2]], [[3, 4]]]), tensor([[0], [1.5]])));
    expect(deep.message).toMatch(/label 1.5 at position \[1,0\] is not an integer in \[0, 2\)/);
    expect(opError(() => ops.bce(tensor([[0.5, 1.2]]), tensor([[0, 1]]))).message).toMatch(/prediction 1.2 at position \[0,1\] is not in \[0, 1\]/);
    expect(opError(() => ops.bce(tensor([0.5]), tensor([2]))).message).toMatch(/target 2 at position \[0\]/);
  });

  it('bad attributes', () => {
    const x = tensor([[1, 2], [3, 4]]);
    expect(opError(() => ops.mse(x, x, { reduction: 'avg' as never })).message).toMatch(/reduction must be 'mean', 'sum' or 'none', got avg/);
    expect(opError(() => ops.pow(x, {} as never)).message).toMatch(/^pow: attrs.exponent must be a number/);
    expect(opError(() => ops.gelu(x, { approximate: 'erf' as never })).message).toMatch(/approximate must be 'none' or 'tanh'/);
    expect(opError(() => ops.softplus(x, { beta: 0 })).message).toMatch(/beta must be finite and non-zero/);
    expect(opError(() => ops.huber(x, x, { delta: 0 })).message).toMatch(/delta must be a positive number/);
    expect(opError(() => ops.leakyRelu(x, { slope: Number.NaN })).message).toMatch(/slope must be a finite number/);
    expect(opError(() => ops.elu(x, { alpha: Infinity })).message).toMatch(/alpha must be a finite number/);
    expect(opError(() => ops.softmax(x, { axis: 2 })).message).toMatch(/axis 2 is out of range for rank 2/);
    expect(opError(() => ops.sum(x, { axes: [0, -2] })).message).toMatch(/^sum: axis 0 is repeated/);
    expect(opError(() => ops.max(tensor([], { shape: [0, 2] }), { axes: 0 })).message).toMatch(/^max: cannot reduce the empty axis 0/);
    expect(opError(() => ops.transpose(x, { perm: [0, 0] })).message).toMatch(/is not a permutation/);
    expect(opError(() => ops.reshape(x, {} as never)).message).toMatch(/attrs.shape must be an array/);
    expect(opError(() => ops.slice(x, { start: [0.5] })).message).toMatch(/bound 0.5 on axis 0 is not an integer/);
    expect(opError(() => ops.bceWithLogits(x, x, { posWeight: [1, 2, 3] })).message).toMatch(/posWeight must be a number or 2 numbers \(one per class\)/);
  });
});

describe('extreme inputs: finite where the truth is finite, and right', () => {
  const X = tensor([-500, -50, 50, 500]);
  const e50 = Math.exp(-50), e500 = Math.exp(-500);

  it('sigmoid and tanh saturate exactly; their slopes keep the tails', () => {
    let r = run(ops.sigmoid, [X]);
    expectClose(r.out, [e500, e50, 1, 1], 1e-15);
    expectClose(r.grads[0], [e500, e50, e50, e500], 1e-14);
    r = run(ops.tanh, [X]);
    expectClose(r.out, [-1, -1, 1, 1]);
    expectClose(r.grads[0], [0, 4 * Math.exp(-100), 4 * Math.exp(-100), 0], 1e-14); // 4e^(−1000) underflows
  });

  it('softplus, elu, relu, leakyRelu', () => {
    let r = run(ops.softplus, [X]);
    expectClose(r.out, [e500, e50, 50, 500], 1e-15);
    expectClose(r.grads[0], [e500, e50, 1, 1], 1e-15);
    r = run(ops.softplus, [X], { threshold: Infinity });
    expectClose(r.out, [e500, e50, 50, 500], 1e-15);
    expectClose(r.grads[0], [e500, e50, 1, 1], 1e-15);
    r = run(ops.elu, [X]);
    expectClose(r.out, [-1, -1, 50, 500]);
    expectClose(r.grads[0], [e500, e50, 1, 1], 1e-15);
    r = run(ops.relu, [X]);
    expectClose(r.out, [0, 0, 50, 500]);
    expectClose(r.grads[0], [0, 0, 1, 1]);
    r = run(ops.leakyRelu, [X]);
    expectClose(r.out, [-5, -0.5, 50, 500]);
    expectClose(r.grads[0], [0.01, 0.01, 1, 1]);
  });

  it('gelu, exact and tanh forms', () => {
    for (const approximate of ['none', 'tanh'] as const) {
      const r = run(ops.gelu, [X], { approximate });
      expectClose(r.out, [0, 0, 50, 500]); // Φ(−50) ≈ 1e-545 underflows
      expectClose(r.grads[0], [0, 0, 1, 1]);
    }
  });

  it('exp, square, pow and the regression losses stay finite', () => {
    let r = run(ops.exp, [X]);
    expectClose(r.out, [e500, e50, Math.exp(50), Math.exp(500)]);
    expectClose(r.grads[0], [e500, e50, Math.exp(50), Math.exp(500)]);
    r = run(ops.pow, [X], { exponent: 3 });
    expectClose(r.grads[0], [750000, 7500, 7500, 750000]);
    for (const loss of [ops.mse, ops.l1, ops.huber]) {
      const out = run(loss, [X, tensor([500, 50, -50, -500])]);
      expect(Number.isFinite(out.out.item())).toBe(true);
      for (const d of out.grads) expect(Array.from(d!.data).every(Number.isFinite)).toBe(true);
    }
    expectClose(run(ops.huber, [X, tensor([0, 0, 0, 0])], { reduction: 'sum' }).grads[0], [-1, -1, 1, 1]);
  });

  it('softmax and logSoftmax over lanes with ±50 and ±500', () => {
    const x = tensor([[500, -500, 50, -50]]);
    let r = run(ops.logSoftmax, [x]);
    expectClose(r.out, [[-Math.exp(-450), -1000, -450, -550]], 1e-15);
    expectClose(r.grads[0], [[-3, 1, 1 - 4 * Math.exp(-450), 1]], 1e-15);
    r = run(ops.softmax, [x], {}, tensor([[1, 0, 0, 0]]));
    expectClose(r.out, [[1, 0, Math.exp(-450), Math.exp(-550)]], 1e-14);
    for (const v of r.grads[0]!.data) expect(Number.isFinite(v)).toBe(true);
    expectClose(ops.softmax(tensor([-500, -500])), [0.5, 0.5]);
  });

  it('crossEntropy: exact losses and gradients for confident rows, right or wrong', () => {
    const x = tensor([[500, -500], [-500, 500], [50, -50]]);
    const r = run(ops.crossEntropy, [x, tensor([1, 1, 0])], { reduction: 'none' });
    expectClose(r.out, [1000, 0, Math.exp(-100)], 1e-15);
    expectClose(r.grads[0], [[1, -1], [0, 0], [-Math.exp(-100), Math.exp(-100)]], 1e-15);
  });

  it('bceWithLogits: losses like |x| or e^(−|x|), gradients σ(x) − y', () => {
    let r = run(ops.bceWithLogits, [X, tensor([1, 1, 0, 0])], { reduction: 'none' });
    expectClose(r.out, [500, 50, 50, 500], 1e-15);
    expectClose(r.grads[0], [-1, -1, 1, 1], 1e-15);
    r = run(ops.bceWithLogits, [X, tensor([0, 0, 1, 1])], { reduction: 'none' });
    expectClose(r.out, [e500, e50, e50, e500], 1e-14);
    expectClose(r.grads[0], [e500, e50, -e50, -e500], 1e-14);
    expectClose(r.grads[1], [500, 50, -50, -500]);
    r = run(ops.bceWithLogits, [X, tensor([1, 1, 1, 1])], { reduction: 'none', posWeight: 2 });
    expectClose(r.out, [1000, 100, 2 * e50, 2 * e500], 1e-14);
    for (const d of r.grads) for (const v of d!.data) expect(Number.isFinite(v)).toBe(true);
  });

  it('bce at probabilities 0 and 1 and next to them', () => {
    const p = tensor([0, 1, 1e-300, 1 - 2 ** -53]);
    const r = run(ops.bce, [p, tensor([1, 0, 1, 0])], { reduction: 'none' });
    expectClose(r.out, [100, 100, 100, 53 * LN2], 1e-15); // −log(1e-300) = 690.8 is clamped; −log1p(−p) = 53·ln 2
    for (const d of r.grads) for (const v of d!.data) expect(Number.isFinite(v)).toBe(true);
  });
});
