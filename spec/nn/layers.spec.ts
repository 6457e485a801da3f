/**
 * linear() and mlp(): parameters created with nn.Linear's default initialisation, names for
 * checkpoints, reproducible seeds, and forward values equal to the hand-written graph.
 */
import { describe, expect, it } from 'vitest';
import {
  type Node, Rng, type Tensor, add, input, kernels, matmul, mse, param, relu, runSync, sigmoid, tanh, tensor, zeros,
} from '../../src/index.js';
import { kaimingStd, linear, mlp, xavierUniform } from '../../src/nn/index.js';
import { adam } from '../../src/train/index.js';

const X = tensor([[0.5, -1.5], [2, 0.25], [-0.75, 1]]);
const run = (out: Node, x: Node, value: Tensor = X) => runSync(out, { feed: [[x, value]] }).value;
const maxAbs = (t: Tensor) => Array.from(t.data).reduce((a, v) => Math.max(a, Math.abs(v)), 0);

describe('linear', () => {
  it('creates W [in, out] and b [out] named <name>.weight / <name>.bias, inside nn.Linear\'s bounds', () => {
    const layer = linear(50, 40, { seed: 3, name: 'hidden' });
    expect(layer.weight.value.shape).toEqual([50, 40]);
    expect(layer.bias!.value.shape).toEqual([40]);
    expect(layer.params.map((p) => p.name)).toEqual(['hidden.weight', 'hidden.bias']);
    expect([layer.inFeatures, layer.outFeatures]).toEqual([50, 40]);
    const bound = Math.sqrt(3) * kaimingStd([50, 40], { a: Math.sqrt(5) });
    expect(maxAbs(layer.weight.value)).toBeLessThanOrEqual(bound);
    expect(maxAbs(layer.weight.value)).toBeGreaterThan(0.95 * bound);
    expect(maxAbs(layer.bias!.value)).toBeLessThanOrEqual(1 / Math.sqrt(50));
    expect(linear(2, 3).weight.name).toBe('linear.weight');
  });

  it('computes x·W + b, for a batch and for a single row', () => {
    const layer = linear(2, 4, { seed: 1 });
    const x = input([null, 2]);
    const expected = kernels.add(kernels.matmul(X, layer.weight.value), layer.bias!.value);
    expect(run(x.pipe(layer), x).data).toEqual(expected.data);
    const v = input([2]);
    const row = tensor([0.5, -1.5]);
    expect(run(layer(v), v, row).data).toEqual(expected.data.slice(0, 4));
  });

  it('without bias: x·W only, params [weight]', () => {
    const layer = linear(2, 3, { seed: 1, bias: false });
    const x = input([null, 2]);
    expect(layer.bias).toBeNull();
    expect(layer.params).toEqual([layer.weight]);
    expect(run(x.pipe(layer), x).data).toEqual(kernels.matmul(X, layer.weight.value).data);
  });

  it('same seed, same parameters; an rng is drawn weight first, then bias', () => {
    const a = linear(3, 5, { seed: 7 }), b = linear(3, 5, { seed: 7 }), c = linear(3, 5, { seed: 8 });
    expect(a.weight.value.data).toEqual(b.weight.value.data);
    expect(a.bias!.value.data).toEqual(b.bias!.value.data);
    expect(a.weight.value.data).not.toEqual(c.weight.value.data);
    const viaRng = linear(3, 5, { rng: new Rng(7) });
    expect(viaRng.weight.value.data).toEqual(a.weight.value.data);
    expect(viaRng.bias!.value.data).toEqual(a.bias!.value.data);
    // The bias is not a replay of the weight's first draws.
    expect(Array.from(a.bias!.value.data).map((v) => v * Math.sqrt(3))).not.toEqual(Array.from(a.weight.value.data).slice(0, 5));
  });

  it('custom initialisers, dtype, and a check of the initialiser\'s shape', () => {
    const layer = linear(4, 6, { seed: 2, init: (s, o) => xavierUniform(s, { ...o, gain: 2 }), biasInit: (s) => zeros(s), dtype: 'float32' });
    expect(layer.weight.value.dtype).toBe('float32');
    expect(Array.from(layer.bias!.value.data)).toEqual([0, 0, 0, 0, 0, 0]);
    expect(maxAbs(layer.weight.value)).toBeLessThanOrEqual(2 * Math.sqrt(6 / 10) + 1e-6);
    expect(() => linear(4, 6, { init: () => zeros([6, 4]) })).toThrow(/initialiser of linear.weight returned shape \[6,4\], expected \[4,6\]/);
    expect(() => linear(-1, 2)).toThrow(/inFeatures must be a non-negative integer/);
  });
});

describe('mlp', () => {
  it('stacks linear layers named linear0, linear1, … with the activation between them', () => {
    const net = mlp([2, 8, 3, 1], { seed: 4 });
    expect(net.layers.map((l) => [l.inFeatures, l.outFeatures])).toEqual([[2, 8], [8, 3], [3, 1]]);
    expect(net.params.map((p) => p.name)).toEqual([
      'linear0.weight', 'linear0.bias', 'linear1.weight', 'linear1.bias', 'linear2.weight', 'linear2.bias',
    ]);
    const x = input([null, 2]);
    const [l0, l1, l2] = net.layers;
    const byHand = x.pipe(l0!, relu(), l1!, relu(), l2!);
    expect(run(x.pipe(net), x).data).toEqual(run(byHand, x).data);
    expect(mlp([2, 3], { name: 'enc' }).params.map((p) => p.name)).toEqual(['enc.linear0.weight', 'enc.linear0.bias']);
  });

  it('activations by name or as operators, and an output activation', () => {
    const x = input([null, 2]);
    const withTanh = mlp([2, 5, 2], { seed: 1, activation: 'tanh', outputActivation: 'sigmoid' });
    const [a, b] = withTanh.layers;
    expect(run(x.pipe(withTanh), x).data).toEqual(run(x.pipe(a!, tanh(), b!, sigmoid()), x).data);
    const custom = mlp([2, 5, 2], { seed: 1, activation: (h) => h.pipe(sigmoid()) });
    const [c, d] = custom.layers;
    expect(run(x.pipe(custom), x).data).toEqual(run(x.pipe(c!, sigmoid(), d!), x).data);
    expect(() => mlp([2, 3], { activation: 'swish' as never })).toThrow(/unknown activation 'swish'/);
    expect(() => mlp([2])).toThrow(/at least the input and output sizes/);
  });

  it('one seed gives the same network; layers draw from one generator in turn', () => {
    const a = mlp([3, 4, 2], { seed: 10 }), b = mlp([3, 4, 2], { seed: 10 });
    expect(a.params.map((p) => Array.from(p.value.data))).toEqual(b.params.map((p) => Array.from(p.value.data)));
    const rng = new Rng(10);
    const first = linear(3, 4, { rng }), second = linear(4, 2, { rng });
    expect(a.params.map((p) => Array.from(p.value.data))).toEqual([first, second].flatMap((l) => l.params.map((p) => Array.from(p.value.data))));
  });

  it('trains: mlp + adam fit a small regression online', () => {
    const net = mlp([2, 16, 1], { seed: 0, activation: 'tanh' });
    const x = input([1, 2]), y = input([1, 1]);
    const loss = mse(x.pipe(net), y);
    const opt = adam({ lr: 0.05 });
    const rng = new Rng(1);
    const sample = () => {
      const a = 2 * rng.uniform() - 1, b = 2 * rng.uniform() - 1;
      return [[[a, b]], [[Math.sin(2 * a) * b]]] as const;
    };
    const avgLoss = (k: number, train: boolean) => {
      let total = 0;
      for (let i = 0; i < k; i++) {
        const [xs, ys] = sample();
        const r = runSync(loss, { feed: [[x, xs], [y, ys]], wrt: net.params });
        total += r.loss.item();
        if (train) opt.step(net.params, r.grads);
      }
      return total / k;
    };
    const before = avgLoss(200, false);
    avgLoss(800, true);
    const after = avgLoss(200, false);
    expect(after).toBeLessThan(before / 5);
  });
});

describe('the graph sees layer parameters like any other', () => {
  it('x.pipe(linear) equals the hand-built x·W + b with the same tensors', () => {
    const layer = linear(2, 3, { seed: 5 });
    const W = param(layer.weight.value), b = param(layer.bias!.value);
    const x = input([null, 2]);
    expect(run(x.pipe(layer), x).data).toEqual(run(x.pipe(matmul(W), add(b)), x).data);
  });
});
