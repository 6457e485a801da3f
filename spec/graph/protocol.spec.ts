/**
 * Marble tests of the join and gradient protocols (RxJS TestScheduler, virtual time).
 * Checklist (STYLE.md): empty, one tick, many, out-of-order and interleaved arrival, error,
 * never-completing source, early unsubscribe, a consumer that sends no gradient, two consumers
 * summed once.
 */
import { map } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import {
  type Frame, type Node, type Tensor, add, input, matmul, mse, mul, param, retainedTicks, stream, sum, tensor,
} from '../../src/index.js';

const scheduler = () => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
const f = (tick: number, ...values: number[]): Frame<Tensor> => ({ tick, value: tensor(values) });
/** Frames as `tick:value` strings, so marbles compare plain values. */
const show = map((fr: Frame<Tensor>) => `${fr.tick}:${Array.from(fr.value.data).join(',')}`);

describe('join by tick', () => {
  it('empty sources give an empty run', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const x = input([1]), y = input([1]);
      const xs = cold<Frame<Tensor>>('|'), ys = cold<Frame<Tensor>>('--|');
      expectObservable(stream(add(x, y), { feed: [[x, xs], [y, ys]] }).pipe(show)).toBe('--|');
    });
    expect(retainedTicks()).toBe(0);
  });

  it('one tick', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const x = input([1]), y = input([1]);
      const xs = cold('a|', { a: f(0, 1) }), ys = cold('-a|', { a: f(0, 10) });
      expectObservable(stream(add(x, y), { feed: [[x, xs], [y, ys]] }).pipe(show)).toBe('-a|', { a: '0:11' });
    });
    expect(retainedTicks()).toBe(0);
  });

  it('many ticks in order', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const x = input([1]), y = input([1]);
      const xs = cold('abc|', { a: f(0, 1), b: f(1, 2), c: f(2, 3) });
      const ys = cold('abc|', { a: f(0, 10), b: f(1, 20), c: f(2, 30) });
      expectObservable(stream(mul(x, y), { feed: [[x, xs], [y, ys]] }).pipe(show)).toBe('abc|', { a: '0:10', b: '1:40', c: '2:90' });
    });
  });

  it('joins out-of-order and interleaved arrivals by tick, not by position (x1 x2 y2 y1)', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const x = input([1]), y = input([1]);
      const xs = cold('ab---|', { a: f(1, 1), b: f(2, 2) });
      const ys = cold('--ba-|', { a: f(1, 10), b: f(2, 20) });
      // tick 2 completes first, when y2 arrives; zip would have paired x1 with y2.
      expectObservable(stream(add(x, y), { feed: [[x, xs], [y, ys]] }).pipe(show)).toBe('--ba-|', { a: '1:11', b: '2:22' });
    });
    expect(retainedTicks()).toBe(0);
  });

  it('a diamond emits each tick once, with both branches of the same tick', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const x = input([1]);
      const a = mul(x, 2), b = add(x, 1);
      const xs = cold('ab|', { a: f(0, 1), b: f(1, 5) });
      // combineLatest would emit (a1, b0) and (a1, b1); the join by tick emits x·2 + x + 1 once.
      expectObservable(stream(add(a, b), { feed: [[x, xs]] }).pipe(show)).toBe('ab|', { a: '0:4', b: '1:16' });
    });
  });

  it('an error in a source reaches the subscriber and leaves no state', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const x = input([1]), y = input([1]);
      const xs = cold('ab#', { a: f(0, 1), b: f(1, 2) }, new Error('disk gone'));
      const ys = cold('a---', { a: f(0, 10) });
      expectObservable(stream(add(x, y), { feed: [[x, xs], [y, ys]] }).pipe(show)).toBe('a-#', { a: '0:11' }, new Error('disk gone'));
    });
    expect(retainedTicks()).toBe(0);
  });

  it('a never-completing source keeps the run open without retaining finished ticks', () => {
    const seen: number[] = [];
    scheduler().run(({ cold, expectObservable }) => {
      const x = input([1]);
      const xs = cold('a-b-c-', { a: f(0, 1), b: f(1, 2), c: f(2, 3) });
      const out$ = stream(mul(x, 3), { feed: [[x, xs]] }).pipe(
        map((fr) => {
          seen.push(retainedTicks());
          return fr.tick;
        }),
      );
      expectObservable(out$, '^------!').toBe('a-b-c--', { a: 0, b: 1, c: 2 });
    });
    // Each tick is reported before its record is recycled, so at most that tick is retained.
    expect(seen).toEqual([1, 1, 1]);
    expect(retainedTicks()).toBe(0);
  });

  it('unsubscribing early tears down every source subscription', () => {
    scheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const x = input([1]), y = input([1]);
      const xs = cold('a-b-c-|', { a: f(0, 1), b: f(1, 2), c: f(2, 3) });
      const ys = cold('-a-b-c|', { a: f(0, 1), b: f(1, 2), c: f(2, 3) });
      expectObservable(stream(add(x, y), { feed: [[x, xs], [y, ys]] }).pipe(show), '^--!').toBe('-a--', { a: '0:2' });
      expectSubscriptions(xs.subscriptions).toBe('^--!');
      expectSubscriptions(ys.subscriptions).toBe('^--!');
    });
    expect(retainedTicks()).toBe(0);
  });

  it('a source completing before delivering a pending tick is an error naming the input and tick', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const x = input([1]).named('x'), y = input([1]).named('y');
      const xs = cold('a|', { a: f(0, 1) });
      const ys = cold<Frame<Tensor>>('---|');
      const out$ = stream(add(x, y), { feed: [[x, xs], [y, ys]] });
      expectObservable(out$.pipe(show)).toBe('---#', undefined, expect.objectContaining({ message: 'input y completed without delivering tick 0' }));
    });
    expect(retainedTicks()).toBe(0);
  });
});

describe('gradient protocol', () => {
  /** y = sum((x·W)²)-style graph pieces with a known gradient. */
  function net() {
    const W = param(tensor([[2], [3]]), { name: 'W' });
    const x = input([1, 2]), y = input([1, 1]);
    const h = x.pipe(matmul(W));
    return { W, x, y, h };
  }
  const xs = (cold: TestScheduler['createColdObservable'], marbles: string) =>
    cold(marbles, { a: { tick: 0, value: tensor([[1, 1]]) }, b: { tick: 1, value: tensor([[1, 2]]) } });

  it('a consumer off the trained path sends no gradient and stalls nothing', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const { W, x, y, h } = net();
      const loss = mse(h, y);
      const metric = h.pipe(sum()); // reads the prediction; not trained
      const ys = cold('a-b|', { a: { tick: 0, value: tensor([[0]]) }, b: { tick: 1, value: tensor([[0]]) } });
      const grads = W.grad$.pipe(map((g) => `${g.tick}:${Array.from(g.value.data).join(',')}`));
      // h = x·W: tick 0 → 5, tick 1 → 8; ∂loss/∂W = 2·h·xᵀ.
      expectObservable(grads).toBe('a-b|', { a: '0:10,10', b: '1:16,32' });
      const run$ = stream([loss, metric], { feed: [[x, xs(cold, 'a-b|')], [y, ys]], train: [loss] });
      expectObservable(run$.pipe(map((fr) => fr.value.map((v) => v.item()).join('/')))).toBe('a-b|', { a: '25/5', b: '64/8' });
    });
    expect(retainedTicks()).toBe(0);
  });

  it('two consumers of one node are summed once per tick', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const { W, x, h } = net();
      // loss = h·h + h: both consumers of h send a contribution; W sees one summed gradient.
      const loss = add(mul(h, h), h).pipe(sum());
      const grads = W.grad$.pipe(map((g) => `${g.tick}:${Array.from(g.value.data).join(',')}`));
      const hGrads = h.grad$.pipe(map((g) => `${g.tick}:${g.value.item()}`));
      // ∂loss/∂h = 2h + 1: 11 then 17; ∂loss/∂W = (2h + 1)·xᵀ.
      expectObservable(hGrads).toBe('a-b|', { a: '0:11', b: '1:17' });
      expectObservable(grads).toBe('a-b|', { a: '0:11,11', b: '1:17,34' });
      expectObservable(stream(loss, { feed: [[x, xs(cold, 'a-b|')]], train: [loss] }).pipe(map((fr) => fr.value.item()))).toBe('a-b|', {
        a: 30,
        b: 72,
      });
    });
  });

  it('backward of a tick waits for its late label and uses that tick’s saved values', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const { W, x, y, h } = net();
      const loss = mse(h, y);
      // Labels arrive late and in reverse order: predictions stream out at once, gradients when labels come.
      const ys = cold('---ba|', { a: { tick: 0, value: tensor([[0]]) }, b: { tick: 1, value: tensor([[0]]) } });
      expectObservable(h.pipe(map((fr) => `${fr.tick}:${fr.value.item()}`))).toBe('a-b--|', { a: '0:5', b: '1:8' });
      expectObservable(W.grad$.pipe(map((g) => g.tick))).toBe('---ba|', { a: 0, b: 1 });
      expectObservable(stream(loss, { feed: [[x, xs(cold, 'a-b|')], [y, ys]], train: [loss] }).pipe(map((fr) => fr.tick))).toBe('---ba|', {
        a: 0,
        b: 1,
      });
    });
    expect(retainedTicks()).toBe(0);
  });
});

describe('node faces', () => {
  it('complete with the run and error with it', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const x = input([1]);
      const out: Node = mul(x, 2);
      expectObservable(out.pipe(map((fr) => fr.value.item()))).toBe('a-#', { a: 2 }, new Error('boom'));
      const xs = cold('a-#', { a: f(0, 1) }, new Error('boom'));
      expectObservable(stream(out, { feed: [[x, xs]] }).pipe(map((fr) => fr.tick))).toBe('a-#', { a: 0 }, new Error('boom'));
    });
  });
});
