/**
 * A million ticks through a multi-layer graph: no retained state, a flat heap, no stack growth.
 */
import { Observable, from, map, range, reduce, lastValueFrom, take, filter } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { add, input, kernels, matmul, mse, param, randn, retainedTicks, sigmoid, tanh, tensor, through, zeros, stream, stamp } from '../../src/index.js';

const gc = (globalThis as { gc?: () => void }).gc;
const heapMB = (): number => {
  gc?.();
  return process.memoryUsage().heapUsed / 2 ** 20;
};

function network() {
  const W1 = param(randn([2, 8], { seed: 1 }).astype('float64')), b1 = param(zeros([8]));
  const W2 = param(randn([8, 8], { seed: 2 })), b2 = param(zeros([8]));
  const W3 = param(randn([8, 1], { seed: 3 })), b3 = param(zeros([1]));
  const x = input([2]), y = input([1]);
  const out = x.pipe(matmul(W1), add(b1), tanh(), matmul(W2), add(b2), sigmoid(), matmul(W3), add(b3));
  const loss = mse(out, y);
  const params = [W1, b1, W2, b2, W3, b3];
  // SGD on the gradient streams.
  const subs = params.map((p) => p.grad$.subscribe(({ value }) => p.assign(kernels.sub(p.value, kernels.scale(value, 0.01)))));
  return { x, y, loss, out, stop: () => subs.forEach((s) => s.unsubscribe()) };
}

describe('memory on long streams', () => {
  it('a million training ticks from a synchronous source: no stack overflow, zero retained state, flat heap', async () => {
    const { x, y, loss, stop } = network();
    const X = tensor([0.5, -0.25]), Y = tensor([0.3]);
    const heaps: number[] = [];
    const total = await lastValueFrom(
      range(0, 1_000_000).pipe(
        through(loss, { inputs: [x, y], feed: () => [X, Y], train: [loss] }),
        map((f) => {
          if (f.tick % 250_000 === 0) heaps.push(heapMB());
          return f.value.item();
        }),
        reduce((n) => n + 1, 0),
      ),
    );
    heaps.push(heapMB());
    stop();
    expect(total).toBe(1_000_000);
    expect(retainedTicks()).toBe(0);
    // The heap after a million ticks is within a few MB of the heap after the first.
    expect(Math.max(...heaps) - heaps[0]!).toBeLessThan(8);
  }, 120_000);

  it('an endless source stopped by take() or unsubscribe leaves nothing behind', async () => {
    const { x, out, stop } = network();
    const endless = new Observable<number[]>((s) => {
      let stopped = false;
      (async () => {
        for (let i = 0; !stopped; i++) {
          s.next([i % 5, 1]);
          if (i % 1000 === 0) await Promise.resolve();
        }
      })();
      return () => (stopped = true);
    });
    const n = await lastValueFrom(stream(out, { feed: [[x, endless.pipe(stamp())]] }).pipe(take(10_000), reduce((k) => k + 1, 0)));
    stop();
    expect(n).toBe(10_000);
    expect(retainedTicks()).toBe(0);
  });
});
