/**
 * A run fuses matmul → add into one affine op. Fusion must be invisible: same bits, errors naming
 * the user's nodes, and no fusion of a node that is watched or needed on its own.
 */
import { from, lastValueFrom, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { type Node, type Param, add, input, learn, matmul, mse, param, randn, runSync, sgd, sigmoid, tanh, zeros } from '../../src/index.js';
import { Program } from '../../src/graph/program.js';

function net() {
  const W1 = param(randn([3, 5], { seed: 1 })), b1 = param(zeros([5]));
  const W2 = param(randn([5, 1], { seed: 2 })), b2 = param(zeros([1]));
  const x = input([3]), y = input([1]);
  const z1: Node = x.pipe(matmul(W1));
  const out = z1.pipe(add(b1), tanh(), matmul(W2), add(b2), sigmoid());
  // W1 used a second time, so its gradient is a sum whose order fusion must keep.
  const loss = add(mse(out, y), x.pipe(matmul(W1), sigmoid(), mse(zeros([5]))));
  return { params: [W1, b1, W2, b2] as Param[], x, y, z1, out, loss };
}
const samples = Array.from({ length: 40 }, (_, i) => ({ x: [Math.sin(i), Math.cos(i), i % 3], y: [i % 2] }));
const bits = (ps: Param[]) => ps.flatMap((p) => Array.from(p.value.data));

describe('matmul → add fusion', () => {
  it('happens for a dense layer and not for a product that is watched or needed', () => {
    const a = net();
    const fused = new Program({ outputs: [], losses: [{ node: a.loss, weight: 1 }] });
    expect(fused.absorbed.reduce((s, v) => s + v, 0)).toBe(2);
    const asOutput = new Program({ outputs: [a.z1], losses: [{ node: a.loss, weight: 1 }] });
    expect(asOutput.absorbed.reduce((s, v) => s + v, 0)).toBe(1);
    const sub = a.z1.subscribe();
    expect(new Program({ outputs: [], losses: [{ node: a.loss, weight: 1 }] }).absorbed.reduce((s, v) => s + v, 0)).toBe(1);
    sub.unsubscribe();
  });

  it('trains bit-identically to the unfused graph', async () => {
    const a = net(), b = net();
    const frames: number[] = [];
    const watch = b.z1.subscribe((f) => frames.push(f.tick)); // watching z1 keeps b's first layer unfused
    const run = (m: ReturnType<typeof net>) =>
      lastValueFrom(from(samples).pipe(learn({ inputs: [m.x, m.y], feed: (s) => [s.x, s.y], loss: m.loss, optimizer: sgd({ lr: 0.3, momentum: 0.9 }) }), toArray()));
    const [sa, sb] = [await run(a), await run(b)];
    watch.unsubscribe();
    expect(frames).toHaveLength(samples.length);
    expect(sa.map((s) => s.loss)).toEqual(sb.map((s) => s.loss));
    expect(bits(a.params)).toEqual(bits(b.params));
  });

  it('an error inside a fused layer names the matmul the user wrote, with its shapes', () => {
    const x = input(), W = param(randn([2, 3], { seed: 3 })), b = param(zeros([3]));
    const loss = x.pipe(matmul(W), add(b), mse(zeros([3])));
    expect(() => runSync(loss, { feed: [[x, [1, 2, 3]]], wrt: [W] })).toThrow(/^matmul at tick 0: inner dimensions differ.*\(inputs \[3\], \[2,3\]\)/);
    // With shapes known, the same mistake in the bias is caught when wired, naming the add.
    const x2 = input([2]), c = param(zeros([4]));
    expect(() => x2.pipe(matmul(W), add(c))).toThrow(/^add: shapes \[3\] and \[4\] cannot be broadcast together/);
  });
});
