import { describe, expect, it } from 'vitest';
import { from, map, toArray, lastValueFrom } from 'rxjs';
import { add, input, matmul, mse, param, randn, runSync, sigmoid, stream, tensor, zeros, type Node, retainedTicks } from '../../src/index.js';

describe('README example', () => {
  it('wires the two-layer network and runs it', async () => {
    const W1 = param(randn([2, 8], { seed: 1 })), b1 = param(zeros([8]));
    const W2 = param(randn([8, 1], { seed: 2 })), b2 = param(zeros([1]));
    const x = input([2]), y = input([1]);
    const out: Node = x.pipe(matmul(W1), add(b1), sigmoid(), matmul(W2), add(b2));
    const loss: Node = mse(out, y);
    expect(out.shape).toEqual([1]);
    const r = runSync(loss, { feed: [[x, tensor([1, 2])], [y, tensor([0.5])]], wrt: [W1, b1, W2, b2] });
    expect(r.loss.shape).toEqual([]);
    expect(r.grads.map((g) => g.shape)).toEqual([[2, 8], [8], [8, 1], [1]]);
    const grads: number[] = [];
    W1.grad$.subscribe((f) => grads.push(f.tick));
    const outs = lastValueFrom(out.pipe(map((f) => f.tick), toArray()));
    const frames = await lastValueFrom(
      stream(loss, { feed: [[x, from([[1, 2], [3, 4]])], [y, from([[0], [1]])]], train: [loss] }).pipe(toArray()),
    );
    expect(frames.map((f) => f.tick)).toEqual([0, 1]);
    expect(grads).toEqual([0, 1]);
    expect(await outs).toEqual([0, 1]);
    expect(retainedTicks()).toBe(0);
  });
});
