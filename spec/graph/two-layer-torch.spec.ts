/**
 * The textbook network z = x·W1 + b1, h = σ(z), o = h·W2 + b2, loss = MSE(o, y), built as a reactive
 * graph: every forward value and every gradient agrees with PyTorch float64 (values from
 * spec/reference/make_torch_two_layer.py).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type Node, type Tensor, add, input, matmul, mse, param, runSync, sigmoid, tensor } from '../../src/index.js';

interface T { shape: number[]; data: unknown }
const ref = JSON.parse(readFileSync(new URL('../reference/torch-two-layer.json', import.meta.url), 'utf8')) as {
  params: Record<string, T>;
  cases: Record<string, { x: T; y: T; forward: Record<string, T>; grads: Record<string, T>; intermediate_grads: Record<string, T> }>;
};
const load = (t: T): Tensor => tensor(t.data as number[], { shape: t.shape });

function expectClose(actual: Tensor, expected: T, what: string): void {
  expect(actual.shape, what).toEqual(expected.shape);
  const e = load(expected);
  for (let i = 0; i < e.size; i++) {
    const a = actual.data[i]!, b = e.data[i]!;
    expect(Math.abs(a - b), `${what}[${i}]: ${a} vs ${b}`).toBeLessThanOrEqual(1e-14 + 1e-12 * Math.abs(b));
  }
}

describe.each(Object.keys(ref.cases))('two-layer network vs PyTorch (%s)', (name) => {
  const c = ref.cases[name]!;
  it('agrees on z, h, o, loss and the gradients of W1, b1, W2, b2, x, o, h, z', () => {
    const W1 = param(load(ref.params.W1!)), b1 = param(load(ref.params.b1!));
    const W2 = param(load(ref.params.W2!)), b2 = param(load(ref.params.b2!));
    const x = input(c.x.shape), y = input(c.y.shape);
    const z: Node = x.pipe(matmul(W1), add(b1));
    const h: Node = z.pipe(sigmoid());
    const o: Node = h.pipe(matmul(W2), add(b2));
    const loss = mse(o, y);
    const r = runSync(loss, { feed: [[x, load(c.x)], [y, load(c.y)]], wrt: [W1, b1, W2, b2, x, o, h, z], outputs: [z, h, o] });
    expectClose(r.loss, c.forward.loss!, 'loss');
    (['z', 'h', 'o'] as const).forEach((k, i) => expectClose(r.values[i]!, c.forward[k]!, k));
    (['W1', 'b1', 'W2', 'b2', 'x'] as const).forEach((k, i) => expectClose(r.grads[i]!, c.grads[k]!, `∂loss/∂${k}`));
    (['o', 'h', 'z'] as const).forEach((k, i) => expectClose(r.grads[5 + i]!, c.intermediate_grads[k]!, `∂loss/∂${k}`));
  });
});
