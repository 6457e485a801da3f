import { describe, expect, it } from 'vitest';
import { input, mlp, runSync } from '../../src/index.js';

describe('mlp activations by name', () => {
  it.each(['relu', 'leakyRelu', 'elu', 'gelu', 'softplus', 'sigmoid', 'tanh'] as const)('%s builds a working network', (activation) => {
    const x = input([3]);
    const net = mlp([3, 4, 2], { activation, seed: 1 });
    const out = x.pipe(net);
    const { value, grads } = runSync(out, { feed: [[x, [0.5, -1, 2]]], wrt: net.params });
    expect(value.shape).toEqual([2]);
    expect(grads.every((g) => g.data.every(Number.isFinite))).toBe(true);
  });

  it('an unknown name lists the known ones', () => {
    expect(() => mlp([2, 2], { activation: 'swish' as never })).toThrow(/unknown activation 'swish' \(use 'relu', 'leakyRelu', 'elu', 'gelu', 'softplus', 'sigmoid', 'tanh' or an operator\)/);
  });
});
