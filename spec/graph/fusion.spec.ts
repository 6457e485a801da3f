/**
 * A run fuses matmul → add into one affine op, and affine → sigmoid/tanh/relu into one dense op.
 * Fusion must be invisible: same bits, errors naming the user's nodes, and no fusion of a node that
 * is watched or needed on its own.
 */
import { from, lastValueFrom, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { type Node, type Param, add, affine, dense, input, kernels, learn, matmul, mse, param, randn, relu, runSync, setCompiledTicks, sgd, sigmoid, tanh, tensor, zeros } from '../../src/index.js';
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
/** The ops a program runs, in order. */
const opNames = (p: Program) => Array.from(p.opSlots, (s) => p.ops[s]!.name);

describe('matmul → add fusion', () => {
  it('happens for a dense layer and not for a product that is watched or needed', () => {
    const a = net();
    const fused = new Program({ outputs: [], losses: [{ node: a.loss, weight: 1 }] });
    // Both layers become dense (matmul, add and activation in one); the third matmul feeds a sigmoid directly.
    expect(opNames(fused)).toEqual(['dense', 'dense', 'mse', 'matmul', 'sigmoid', 'mse', 'add']);
    expect(fused.absorbed.reduce((s, v) => s + v, 0)).toBe(4);
    const asOutput = new Program({ outputs: [a.z1], losses: [{ node: a.loss, weight: 1 }] });
    expect(opNames(asOutput)).toEqual(['matmul', 'add', 'tanh', 'dense', 'mse', 'matmul', 'sigmoid', 'mse', 'add']);
    const sub = a.z1.subscribe();
    expect(opNames(new Program({ outputs: [], losses: [{ node: a.loss, weight: 1 }] }))[0]).toBe('matmul');
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

describe('affine → activation fusion', () => {
  /** A 3-8-8-1 net with big weights (many saturated units), one layer per activation, written three ways. */
  function deep(style: 'ops' | 'affine') {
    const W = [param(kernels.scale(randn([3, 8], { seed: 4 }), 4)), param(kernels.scale(randn([8, 8], { seed: 5 }), 3)), param(randn([8, 1], { seed: 6 }))];
    const b = [param(randn([8], { seed: 7 })), param(randn([8], { seed: 8 })), param(zeros([1]))];
    const x = input([3]), y = input([1]);
    const layer = (h: Node, i: number): Node => (style === 'ops' ? h.pipe(matmul(W[i]!), add(b[i]!)) : affine(h, W[i]!, b[i]!));
    const h1 = layer(x, 0), a1 = h1.pipe(tanh()), a2 = layer(a1, 1).pipe(relu()), out = layer(a2, 2).pipe(sigmoid());
    return { params: [...W, ...b], x, y, h1, loss: mse(out, y) };
  }

  it('fuses matmul → add → act and affine → act, not an affine that is watched', () => {
    for (const style of ['ops', 'affine'] as const) {
      const n = deep(style);
      expect(opNames(new Program({ outputs: [], losses: [{ node: n.loss, weight: 1 }] }))).toEqual(['dense', 'dense', 'dense', 'mse']);
      const watch = n.h1.subscribe();
      expect(opNames(new Program({ outputs: [], losses: [{ node: n.loss, weight: 1 }] }))).toEqual(['affine', 'tanh', 'dense', 'dense', 'mse']);
      watch.unsubscribe();
    }
  });

  it('trains bit-identically to the unfused graph, with saturated units on most ticks', async () => {
    const run = async (m: ReturnType<typeof deep>) =>
      lastValueFrom(from(samples).pipe(learn({ inputs: [m.x, m.y], feed: (s) => [s.x, s.y], loss: m.loss, optimizer: sgd({ lr: 0.1 }) }), toArray()));
    const fused = deep('ops'), plain = deep('ops');
    const watch = plain.h1.subscribe(); // keeps plain's first layer unfused
    const [sa, sb] = [await run(fused), await run(plain)];
    watch.unsubscribe();
    // The slopes beyond |z| = 4 (tanh) and 13 (sigmoid) come from z, which the fused op recomputes.
    const z = runSync(fused.h1, { feed: [[fused.x, samples[0]!.x]] }).value;
    expect(Array.from(z.data).some((v) => Math.abs(v) > 4)).toBe(true);
    expect(sa.map((s) => s.loss)).toEqual(sb.map((s) => s.loss));
    expect(bits(fused.params)).toEqual(bits(plain.params));
    const affineStyle = deep('affine');
    const sc = await run(affineStyle);
    expect(sc.map((s) => s.loss)).toEqual(sa.map((s) => s.loss));
    // The interpreter runs the same fused schedule: same bits again.
    const previous = setCompiledTicks(false);
    try {
      const interpreted = deep('ops');
      const si = await run(interpreted);
      expect(si.map((s) => s.loss)).toEqual(sa.map((s) => s.loss));
      expect(bits(interpreted.params)).toEqual(bits(fused.params));
    } finally {
      setCompiledTicks(previous);
    }
  });

  it('float32 networks train to the same bits fused and unfused', async () => {
    const net32 = () => {
      const W1 = param(kernels.scale(randn([3, 8], { seed: 11 }), 3).astype('float32')), b1 = param(zeros([8], { dtype: 'float32' }));
      const W2 = param(randn([8, 1], { seed: 12 }).astype('float32')), b2 = param(zeros([1], { dtype: 'float32' }));
      const x = input([3], { dtype: 'float32' }), y = input([1], { dtype: 'float32' });
      const h = x.pipe(matmul(W1), add(b1));
      const out = h.pipe(tanh(), matmul(W2), add(b2), sigmoid());
      return { params: [W1, b1, W2, b2] as Param[], x, y, h, loss: mse(out, y) };
    };
    const feed = (s: (typeof samples)[number]) => [Float32Array.from(s.x), Float32Array.from(s.y)];
    const run = (m: ReturnType<typeof net32>) =>
      lastValueFrom(from(samples).pipe(learn({ inputs: [m.x, m.y], feed, loss: m.loss, optimizer: sgd({ lr: 0.1 }) }), toArray()));
    const fused = net32(), plain = net32();
    expect(opNames(new Program({ outputs: [], losses: [{ node: fused.loss, weight: 1 }] }))).toEqual(['dense', 'dense', 'mse']);
    const watch = plain.h.subscribe();
    const [sa, sb] = [await run(fused), await run(plain)];
    watch.unsubscribe();
    expect(sa.map((s) => s.loss)).toEqual(sb.map((s) => s.loss));
    expect(bits(fused.params)).toEqual(bits(plain.params));
  });

  it('an error inside a fused dense layer names the node the user wrote', () => {
    const x = input(), W = param(randn([2, 3], { seed: 3 })), b = param(zeros([3]));
    const loss = x.pipe(matmul(W), add(b), relu(), mse(zeros([3])));
    expect(() => runSync(loss, { feed: [[x, [1, 2, 3]]], wrt: [W] })).toThrow(/^matmul at tick 0: inner dimensions differ.*\(inputs \[3\], \[2,3\]\)/);
  });

  it('dense called by the user is an op like any other', () => {
    const x = input([2]), W = param(tensor([[1, -1], [2, 0.5]])), b = param(tensor([0.1, -0.2]));
    const out = x.pipe(dense(W, b, { activation: 'relu' }));
    expect(Array.from(runSync(out, { feed: [[x, [1, 1]]] }).value.data)).toEqual([3.1, 0]);
  });
});
