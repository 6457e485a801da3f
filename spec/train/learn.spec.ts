import { from, lastValueFrom, toArray, range, map, take, reduce, interval, Observable } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  type Node, type Param, type Tensor, add, input, kernels, matmul, mse, mul, param, retainedTicks, runSync, sigmoid, sqrt, stream, sum, tensor,
} from '../../src/index.js';
import { learn, type StepMetric } from '../../src/train/learn.js';
import { Optimizer, type BaseOptions, type OptimizerState } from '../../src/train/optimizer.js';

/** Plain SGD, written here so this spec does not depend on the optimizer files. */
class PlainSgd extends Optimizer<BaseOptions> {
  readonly type = 'plain-sgd';
  protected update(value: Tensor, grad: Tensor, options: BaseOptions, _state: unknown, out: Float64Array | Float32Array): void {
    for (let i = 0; i < out.length; i++) out[i] = value.data[i]! - options.lr * grad.data[i]!;
  }
  override stateDict(): OptimizerState {
    return { type: this.type, groups: [], params: [] };
  }
  override loadStateDict(): void {}
}

function twoLayer(seed = 0) {
  const W1 = param(tensor([[0.35, -0.57, -0.38], [0.99, -0.72, -0.84]]).clone()), b1 = param(tensor([0.1, -0.2, 0.05]));
  const W2 = param(tensor([[-0.79], [0.13], [-0.99]])), b2 = param(tensor([0.29 + seed]));
  const x = input([2]), y = input([1]);
  const out: Node = x.pipe(matmul(W1), add(b1), sigmoid(), matmul(W2), add(b2));
  return { params: [W1, b1, W2, b2] as Param[], x, y, out, loss: mse(out, y) };
}

const samples = Array.from({ length: 50 }, (_, i) => ({ x: [Math.sin(i), Math.cos(3 * i)], y: [Math.sin(i) * Math.cos(3 * i)] }));
const bits = (ps: Param[]) => ps.flatMap((p) => Array.from(p.value.data));

describe('learn', () => {
  it('is bit-identical to a hand-written sequential loop (forward, backward, step, next sample)', async () => {
    const a = twoLayer(), b = twoLayer();
    const steps = await lastValueFrom(
      from(samples).pipe(learn({ inputs: [a.x, a.y], feed: (s) => [s.x, s.y], loss: a.loss, optimizer: new PlainSgd({ lr: 0.3 }), prediction: a.out }), toArray()),
    );
    const opt = new PlainSgd({ lr: 0.3 });
    const manualLosses: number[] = [];
    for (const s of samples) {
      const r = runSync(b.loss, { feed: [[b.x, s.x], [b.y, s.y]], wrt: b.params });
      manualLosses.push(r.loss.item());
      opt.step(b.params, r.grads);
    }
    expect(steps.map((s) => s.loss)).toEqual(manualLosses);
    expect(bits(a.params)).toEqual(bits(b.params));
    expect(steps.map((s) => s.tick)).toEqual(samples.map((_, i) => i));
    expect(steps.every((s) => s.stepped && !s.skipped)).toBe(true);
    expect(retainedTicks()).toBe(0);
  });

  it('scores the prediction made before learning from the sample (prequential)', async () => {
    const a = twoLayer();
    const seen: [number, number][] = [];
    const metric: StepMetric = { update: (t, p) => seen.push([t, p as number]), get: () => seen.length };
    const check = twoLayer();
    const opt = new PlainSgd({ lr: 0.3 });
    const expected: number[] = [];
    for (const s of samples.slice(0, 10)) {
      expected.push(runSync(check.out, { feed: [[check.x, s.x]] }).value.item());
      opt.step(check.params, runSync(check.loss, { feed: [[check.x, s.x], [check.y, s.y]], wrt: check.params }).grads);
    }
    const steps = await lastValueFrom(
      from(samples.slice(0, 10)).pipe(
        learn({ inputs: [a.x, a.y], feed: (s) => [s.x, s.y], loss: a.loss, optimizer: new PlainSgd({ lr: 0.3 }), prediction: a.out, target: (s) => s.y[0]!, metrics: { n: metric } }),
        toArray(),
      ),
    );
    expect(seen.map(([, p]) => p)).toEqual(expected);
    expect(seen.map(([t]) => t)).toEqual(samples.slice(0, 10).map((s) => s.y[0]));
    expect(steps.map((s) => s.metrics.n)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(steps.map((s) => s.prediction!.item())).toEqual(expected);
  });

  it('accumulates gradients over k ticks and steps with their mean', async () => {
    const a = twoLayer(), b = twoLayer();
    const steps = await lastValueFrom(
      from(samples.slice(0, 7)).pipe(learn({ inputs: [a.x, a.y], feed: (s) => [s.x, s.y], loss: a.loss, optimizer: new PlainSgd({ lr: 0.3 }), accumulate: 3 }), toArray()),
    );
    expect(steps.map((s) => s.stepped)).toEqual([false, false, true, false, false, true, false]);
    const opt = new PlainSgd({ lr: 0.3 });
    for (const window of [samples.slice(0, 3), samples.slice(3, 6), samples.slice(6, 7)]) {
      const gs = window.map((s) => runSync(b.loss, { feed: [[b.x, s.x], [b.y, s.y]], wrt: b.params }).grads);
      const mean = b.params.map((_, i) => {
        let acc = gs[0]![i]!;
        for (let k = 1; k < gs.length; k++) acc = kernels.add(acc, gs[k]![i]!);
        return gs.length > 1 ? kernels.scale(acc, 1 / gs.length) : acc;
      });
      opt.step(b.params, mean);
    }
    expect(bits(a.params)).toEqual(bits(b.params));
  });

  it('stops on a non-finite loss with an error naming the tick, or skips it when asked', async () => {
    const a = twoLayer();
    const bad = samples.slice(0, 5).map((s, i) => (i === 3 ? { x: [Number.NaN, 0], y: s.y } : s));
    const err = await lastValueFrom(from(bad).pipe(learn({ inputs: [a.x, a.y], feed: (s) => [s.x, s.y], loss: a.loss, optimizer: new PlainSgd({ lr: 0.1 }) }))).catch((e) => e);
    expect(err.message).toMatch(/non-finite value in the loss \(NaN\) at tick 3/);
    expect(retainedTicks()).toBe(0);
    const before = bits(a.params);
    const steps = await lastValueFrom(
      from(bad).pipe(learn({ inputs: [a.x, a.y], feed: (s) => [s.x, s.y], loss: a.loss, optimizer: new PlainSgd({ lr: 0.1 }), nonFinite: 'skip' }), toArray()),
    );
    expect(steps.map((s) => s.skipped)).toEqual([false, false, false, true, false]);
    expect(bits(a.params).every(Number.isFinite)).toBe(true);
    expect(bits(a.params)).not.toEqual(before);
  });

  it('finds a non-finite gradient under a finite loss wherever it sits in the parameter', async () => {
    // sqrt'(0) = ∞: a zero in x makes that element of p's gradient non-finite (0·∞ = NaN) while the
    // loss stays finite. 19 elements, so positions both in the checker's unrolled part and its tail.
    for (const at of [0, 5, 17]) {
      const p = param(tensor(new Array(19).fill(1)), { name: 'p' }), x = input([19]);
      const loss = x.pipe(mul(p), sqrt(), sum());
      const xs = [0, 1, 2].map((t) => Array.from({ length: 19 }, (_, i) => (t === 1 && i === at ? 0 : 1 + i)));
      const err = await lastValueFrom(from(xs).pipe(learn({ inputs: [x], feed: (v) => [v], loss, optimizer: new PlainSgd({ lr: 0.01 }) }))).catch((e) => e);
      expect(err.message).toMatch(/non-finite value in a gradient \(p\) at tick 1/);
      const before = bits([p]);
      const steps = await lastValueFrom(from(xs.slice(1, 2)).pipe(learn({ inputs: [x], feed: (v) => [v], loss, optimizer: new PlainSgd({ lr: 0.01 }), nonFinite: 'skip' }), toArray()));
      expect(steps.map((s) => [s.skipped, s.stepped, Number.isFinite(s.loss)])).toEqual([[true, false, true]]);
      expect(bits([p])).toEqual(before);
    }
  });

  it('does not mistake finite gradients whose sum overflows for non-finite ones', async () => {
    // ∂/∂p of Σ p·x is x: nineteen elements of 1e308 are each finite, though their sum is not.
    const p = param(tensor(new Array(19).fill(1e-300)), { name: 'p' }), x = input([19]);
    const steps = await lastValueFrom(
      from([new Array(19).fill(1e308)]).pipe(learn({ inputs: [x], feed: (v) => [v], loss: x.pipe(mul(p), sum()), optimizer: new PlainSgd({ lr: 1e-310 }) }), toArray()),
    );
    expect(steps.map((s) => [s.skipped, s.stepped])).toEqual([[false, true]]);
    expect(bits([p]).every(Number.isFinite)).toBe(true);
    expect(bits([p])[0]).not.toBe(1e-300);
  });

  it('checks plain number arrays fed as inputs every tick: a wrong length or a ragged row fails that tick', async () => {
    const rows: unknown[][] = [[[0.1, 0.2], [1]], [[0.3, 0.4], [0]], [[0.1, 0.2, 0.3], [1]]];
    const a = twoLayer();
    const seen: number[] = [];
    const err = await lastValueFrom(
      from(rows).pipe(learn({ inputs: [a.x, a.y], feed: (r) => r as never, loss: a.loss, optimizer: new PlainSgd({ lr: 0.1 }) }), map((s) => seen.push(s.tick))),
    ).catch((e) => e);
    expect(seen).toEqual([0, 1]);
    expect(err.message).toMatch(/expects shape \[2\], got \[3\] at tick 2/);
    const ragged = await lastValueFrom(
      from([[[0.1, [0.2]], [1]]]).pipe(learn({ inputs: [a.x, a.y], feed: (r) => r as never, loss: a.loss, optimizer: new PlainSgd({ lr: 0.1 }) })),
    ).catch((e) => e);
    expect(ragged.message).toMatch(/tick 0.*ragged|ragged.*tick 0/);
  });

  it('takes a million samples from a synchronous array without stack growth or buffering', async () => {
    const w = param(tensor([0])), x = input([1]), y = input([1]);
    const loss = mse(x.pipe(matmul(param(tensor([[1]]))), add(w)), y);
    const data = Array.from({ length: 1_000_000 }, (_, i) => i % 7);
    const n = await lastValueFrom(
      from(data).pipe(learn({ inputs: [x, y], feed: (v) => [[v], [v + 0.5]], loss, optimizer: new PlainSgd({ lr: 1e-4 }) }), reduce((k) => k + 1, 0)),
    );
    expect(n).toBe(1_000_000);
    expect(retainedTicks()).toBe(0);
  }, 120_000);

  it('an endless source stops cleanly on take() and on unsubscribe', async () => {
    const a = twoLayer();
    const endless = new Observable<(typeof samples)[number]>((s) => {
      let stop = false;
      (async () => {
        for (let i = 0; !stop; i++) {
          s.next(samples[i % samples.length]!);
          if (i % 100 === 0) await new Promise((r) => setTimeout(r, 0));
        }
      })();
      return () => (stop = true);
    });
    const n = await lastValueFrom(endless.pipe(learn({ inputs: [a.x, a.y], feed: (s) => [s.x, s.y], loss: a.loss, optimizer: new PlainSgd({ lr: 0.1 }) }), take(1000), reduce((k) => k + 1, 0)));
    expect(n).toBe(1000);
    expect(retainedTicks()).toBe(0);
  });
});

describe('parameter storage', () => {
  it('once warm, learn updates parameters in place (no new storage per step)', async () => {
    const a = twoLayer();
    const storage = new Set<unknown>();
    await lastValueFrom(
      from(samples).pipe(
        learn({ inputs: [a.x, a.y], feed: (s) => [s.x, s.y], loss: a.loss, optimizer: new PlainSgd({ lr: 0.1 }) }),
        map((step) => step.tick >= 1 && storage.add(a.params[0]!.peek().data)),
        toArray(),
      ),
    );
    expect(storage.size).toBe(1);
  });

  it('a parameter a tick in flight still needs is never overwritten: the update goes to new storage', async () => {
    const { Subject } = await import('rxjs');
    const W = param(tensor([[1], [2]]));
    const x = input([1, 2]), y = input([1, 1]);
    // W·W makes the backward read W itself (not only values saved from the forward).
    const loss = add(mse(x.pipe(matmul(W)), y), mul(W, W).pipe(sum()));
    const opt = new PlainSgd({ lr: 0.1 });
    opt.step([W], [tensor([[0.5], [0.5]])]); // W now lives in storage only the optimizer holds
    const twin = param(W.peek().clone()), tx = input([1, 2]), ty = input([1, 1]);
    const twinLoss = add(mse(tx.pipe(matmul(twin)), ty), mul(twin, twin).pipe(sum()));
    const X = [tensor([[1, 1]]), tensor([[2, -1]])];
    const expected = X.map((v) => runSync(twinLoss, { feed: [[tx, v], [ty, [[0]]]], wrt: [twin] }).grads[0]!);
    const got: Tensor[] = [];
    const sub = W.grad$.subscribe((g) => {
      got.push(g.value);
      opt.step([W], [g.value]);
    });
    const xs = new Subject<{ tick: number; value: Tensor }>(), ys = new Subject<{ tick: number; value: Tensor }>();
    const done = lastValueFrom(stream(loss, { feed: [[x, xs], [y, ys]], train: [loss] }).pipe(toArray()));
    xs.next({ tick: 0, value: X[0]! });
    xs.next({ tick: 1, value: X[1]! }); // both forwards read the same W
    ys.next({ tick: 0, value: tensor([[0]]) }); // tick 0's update, while tick 1 still holds W
    ys.next({ tick: 1, value: tensor([[0]]) }); // tick 1's backward must see the W its forward saw
    xs.complete();
    ys.complete();
    await done;
    sub.unsubscribe();
    expect(got.map((g) => Array.from(g.data))).toEqual(expected.map((g) => Array.from(g.data)));
  });

});
