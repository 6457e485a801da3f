import { lastValueFrom, map, toArray, from, Subject, filter, tap } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  GraphError, type Node, type Tensor, add, constant, defineOp, detach, input, kernels, matmul, mse, mul, param,
  pipeGrad, retainedTicks, runSync, stream, sum, tensor, through, transformGrad,
} from '../../src/index.js';

const arr = (t: Tensor) => Array.from(t.data);

describe('gradient flow', () => {
  it('a parameter used twice receives the sum of both uses', () => {
    const w = param(tensor([3]));
    const x = input([1]);
    const loss = add(mul(x, w), mul(w, w)).pipe(sum()); // x·w + w² → ∂/∂w = x + 2w
    const { grads } = runSync(loss, { feed: [[x, [2]]], wrt: [w] });
    expect(arr(grads[0]!)).toEqual([8]);
  });

  it('constants, inputs and detach stop the gradient', () => {
    const w = param(tensor([3]));
    const x = input([1]);
    const c = constant(tensor([5]));
    const h = mul(x, w);
    const loss = add(mul(h, c), mul(h.pipe(detach()), h.pipe(detach()))).pipe(sum());
    const { grads } = runSync(loss, { feed: [[x, [2]]], wrt: [w] });
    expect(arr(grads[0]!)).toEqual([10]); // only the constant branch: c·x
    // An input is not differentiated unless asked for; asked for, it is.
    const { grads: gx } = runSync(loss, { feed: [[x, [2]]], wrt: [x] });
    expect(arr(gx[0]!)).toEqual([15]); // c·w
  });

  it('gradients of a detached-only path are zeros in run results', () => {
    const w = param(tensor([3]));
    const loss = mul(w.pipe(detach()), 2).pipe(sum());
    expect(arr(runSync(loss, { feed: [], wrt: [w] }).grads[0]!)).toEqual([0]);
  });

  it('several losses train at once; their gradients add with their weights', () => {
    const w = param(tensor([2]));
    const x = input([1]);
    const l1 = mul(x, w).pipe(sum()); // ∂/∂w = x
    const l2 = mul(w, w).pipe(sum()); // ∂/∂w = 2w
    const { grads } = runSync(l1, { feed: [[x, [3]]], wrt: [w], train: [[l1, 0.5], [l2, 2]], outputs: [l2] });
    expect(arr(grads[0]!)).toEqual([0.5 * 3 + 2 * 4]);
  });

  it('a frozen parameter receives nothing and is not waited for', () => {
    const w = param(tensor([2]), { trainable: false });
    const v = param(tensor([5]));
    const loss = mul(w, v).pipe(sum());
    const seen: number[] = [];
    w.grad$.subscribe(() => seen.push(1));
    const { grads } = runSync(loss, { feed: [], wrt: [v] });
    expect(arr(grads[0]!)).toEqual([2]);
    expect(seen).toEqual([]);
  });

  it('the sum over consumers is reproducible to the bit across runs and arrival orders', () => {
    const w = param(tensor([0.1, 0.7, 1.3]));
    const x = input([3]);
    const h = mul(x, w);
    const loss = add(add(mul(h, 0.3), mul(h, h)), mul(h, 1e-17)).pipe(sum());
    const g1 = runSync(loss, { feed: [[x, [0.2, 0.3, 0.4]]], wrt: [w] }).grads[0]!;
    const g2 = runSync(loss, { feed: [[x, [0.2, 0.3, 0.4]]], wrt: [w] }).grads[0]!;
    expect(arr(g1)).toEqual(arr(g2));
  });
});

describe('gradient streams are observables', () => {
  it('transformGrad changes the gradient flowing into a layer, not its forward value', () => {
    const w = param(tensor([[1], [1]]));
    const x = input([1, 2]);
    const clipped = x.pipe(matmul(w), transformGrad((g) => kernels.unary(g, (v) => Math.max(-1, Math.min(1, v)))));
    const loss = mul(clipped, 10).pipe(sum());
    const r = runSync(loss, { feed: [[x, [[2, 3]]]], wrt: [w], outputs: [clipped] });
    expect(arr(r.values[0]!)).toEqual([5]);
    expect(arr(r.grads[0]!)).toEqual([2, 3]); // 10 clipped to 1, times x
  });

  it('pipeGrad pipes gradient frames through RxJS operators, with the tick', () => {
    const w = param(tensor([1]));
    const x = input([1]);
    const ticks: number[] = [];
    const h = x.pipe(mul(w), pipeGrad(tap((f) => ticks.push(f.tick)), map((f) => ({ ...f, value: kernels.scale(f.value, 0.5) }))));
    const loss = mul(h, 4).pipe(sum());
    const r = runSync(loss, { feed: [[x, [3]]], wrt: [w], tick: 7 });
    expect(arr(r.grads[0]!)).toEqual([6]);
    expect(ticks).toEqual([7]);
  });

  it('pipeGrad reports an operator that drops a gradient, naming the tick', () => {
    const w = param(tensor([1]));
    const x = input([1]);
    const h = x.pipe(mul(w), pipeGrad(filter(() => false)));
    const loss = h.pipe(sum());
    expect(() => runSync(loss, { feed: [[x, [3]]], wrt: [w], tick: 4 })).toThrow(/pipeGrad at tick 4.*emitted 0 frames for tick 4/);
  });

  it('grad$ can be tapped and used to update a parameter between samples (sequential semantics)', async () => {
    const w = param(tensor([0]));
    const x = input([1]), y = input([1]);
    const loss = mse(mul(x, w), y);
    // Plain SGD written with RxJS on the gradient stream: sample t's update lands before sample t+1 reads w.
    const sub = w.grad$.subscribe(({ value }) => w.assign(kernels.sub(w.value, kernels.scale(value, 0.1))));
    const samples = Array.from({ length: 200 }, (_, i) => ({ x: [i % 3], y: [2 * (i % 3)] }));
    const losses = await lastValueFrom(
      from(samples).pipe(through(loss, { inputs: [x, y], feed: (s) => [s.x, s.y], train: [loss] }), map((f) => f.value.item()), toArray()),
    );
    sub.unsubscribe();
    expect(losses).toHaveLength(200);
    expect(w.value.item()).toBeCloseTo(2, 9);
    expect(losses[199]).toBeLessThan(1e-12);
  });

  it('with separate synchronous sources, each tick reads the parameter as it was when its input arrived', async () => {
    // x drains before y: every forward pass of x·w runs before any update (weight stashing), so the
    // gradients are those of w = 0. This is why `through` feeds a sample's inputs together.
    const w = param(tensor([0]));
    const x = input([1]), y = input([1]);
    const h = mul(x, w);
    const loss = mse(h, y);
    const seen: number[] = [];
    const sub = h.subscribe((f) => seen.push(f.value.item()));
    const upd = w.grad$.subscribe(({ value }) => w.assign(kernels.sub(w.value, kernels.scale(value, 0.1))));
    await lastValueFrom(stream(loss, { feed: [[x, from([[1], [1], [1]])], [y, from([[2], [2], [2]])]], train: [loss] }));
    sub.unsubscribe();
    upd.unsubscribe();
    expect(seen).toEqual([0, 0, 0]);
    expect(w.value.item()).toBeCloseTo(1.2, 12); // three steps of 0.1·4, each from the stale h = 0
  });
});

describe('errors name the op, the shapes and the tick', () => {
  it('a shape mismatch known at wiring time throws when wired', () => {
    const x = input([3]);
    const W = param(tensor([[1, 2], [3, 4]]));
    expect(() => x.pipe(matmul(W))).toThrow(/matmul: inner dimensions differ.*\(inputs \[3\], \[2,2\]\)/);
  });

  it('a mismatch known only at run time errors at the tick, through the error channel', async () => {
    const x = input(); // shape unknown until data arrives
    const W = param(tensor([[1, 2], [3, 4]]));
    const out = x.pipe(matmul(W));
    const frames: number[] = [];
    const error = await lastValueFrom(
      stream(out, { feed: [[x, from([tensor([1, 2]), tensor([1, 2, 3])])]] }).pipe(tap((f) => frames.push(f.tick))),
    ).catch((e) => e);
    expect(frames).toEqual([0]);
    expect(error.message).toMatch(/^matmul at tick 1: inner dimensions differ.*\(inputs \[3\], \[2,2\]\)/);
    expect(retainedTicks()).toBe(0);
  });

  it('a batch dimension left dynamic is checked at the tick, static dimensions at wiring', () => {
    const x = input([null, 2]);
    const W = param(tensor([[1], [1]]));
    const out = x.pipe(matmul(W));
    expect(out.shape).toEqual([null, 1]);
    expect(() => input([null, 3]).pipe(matmul(W))).not.toThrow(); // probed sizes fail, decided at run time
    expect(() => runSync(out, { feed: [[x, tensor([[1, 2, 3]])]] })).toThrow(/input .* expects shape \[\?,2\], got \[1,3\] at tick 0/);
  });

  it('a custom op that throws is reported with its name and tick, and the run keeps no state', async () => {
    const picky = defineOp({
      name: 'picky',
      arity: 1,
      forward: ([x]) => {
        if (x.data[0]! < 0) throw new Error('negative input');
        return x;
      },
      backward: (g) => [g],
    });
    const x = input([1]);
    const err = await lastValueFrom(stream(x.pipe(picky()), { feed: [[x, from([[1], [2], [-1], [3]])]] })).catch((e) => e);
    expect(err.message).toBe('picky at tick 2: negative input (inputs [1])');
    expect(retainedTicks()).toBe(0);
  });

  it('a custom op whose gradient has the wrong shape is caught at the tick', () => {
    const bad = defineOp({ name: 'bad', arity: 1, forward: ([x]) => x, backward: () => [tensor([1, 2, 3])] });
    const w = param(tensor([1]));
    const loss = w.pipe(bad(), sum());
    expect(() => runSync(loss, { feed: [], wrt: [w], tick: 3 })).toThrow(/bad at tick 3: backward: gradient for input 0 should be \[1\] float64, got \[3\] float64/);
  });

  it('an input that delivers a tick twice, or too many ticks ahead, is an error', async () => {
    const x = input([1]), y = input([1]);
    const dup = await lastValueFrom(stream(add(x, y), { feed: [[x, from([{ tick: 0, value: tensor([1]) }, { tick: 0, value: tensor([1]) }])], [y, from([])]] })).catch((e) => e);
    expect(dup).toBeInstanceOf(GraphError);
    expect(dup.message).toMatch(/delivered tick 0 twice/);
    const never = new Subject<Tensor>();
    const ahead = await lastValueFrom(
      stream(add(x, y), { feed: [[x, from(Array.from({ length: 10 }, () => tensor([1])))], [y, never]], maxInFlight: 4 }),
    ).catch((e) => e);
    expect(ahead.message).toMatch(/more than 4 ticks in flight/);
    expect(retainedTicks()).toBe(0);
  });

  it('feeding a node that is not an input, or leaving an input unfed, is refused before running', () => {
    const x = input([1]), y = input([1]);
    const out: Node = add(x, y);
    expect(() => runSync(out, { feed: [[x, [1]]] })).toThrow(/input .* is needed but not fed/);
    expect(() => runSync(out, { feed: [[x, [1]], [y, [1]], [out, [1]]] })).toThrow(/is not an input node/);
  });
});

describe('errors in compiled ticks (through, learn)', () => {
  it('a custom op that throws inside a compiled tick is reported with its name, shapes and tick', async () => {
    const picky = defineOp({
      name: 'picky',
      arity: 1,
      forward: ([x]) => {
        if (x.data[0]! < 0) throw new Error('negative input');
        return x;
      },
      backward: (g) => [g],
    });
    const w = param(tensor([1]));
    const x = input([1]);
    const loss = mul(x.pipe(picky()), w).pipe(sum());
    const err = await lastValueFrom(from([[1], [2], [-1], [3]]).pipe(through(loss, { inputs: [x], feed: (v) => [v], train: [loss] }))).catch((e) => e);
    expect(err.message).toBe('picky at tick 2: negative input (inputs [1])');
    expect(retainedTicks()).toBe(0);
  });

  it('a wrong-shaped gradient from a custom op is caught in a compiled tick, naming the op and tick', async () => {
    const bad = defineOp({ name: 'bad', arity: 1, forward: ([x]) => x, backward: () => [tensor([1, 2, 3])] });
    const w = param(tensor([1]));
    const loss = w.pipe(bad(), sum());
    const x = input([1]);
    const total = add(loss, x.pipe(sum()));
    const err = await lastValueFrom(from([[1], [2]]).pipe(through(total, { inputs: [x], feed: (v) => [v], train: [total] }))).catch((e) => e);
    expect(err.message).toMatch(/^bad at tick 0: backward: gradient for input 0 should be \[1\] float64, got \[3\] float64/);
  });
});

describe('faces deliver like RxJS Subjects', () => {
  /** A one-weight graph trained by `through` on ticks 0..n-1 (x = tick + 1). */
  function rig() {
    const w = param(tensor([0.5]));
    const x = input([1]), y = input([1]);
    const out = mul(x, w);
    const loss = mse(out, y);
    const drive = (n: number) =>
      lastValueFrom(
        from(Array.from({ length: n }, (_, i) => i)).pipe(through(loss, { inputs: [x, y], feed: (i) => [[i + 1], [0]], train: [loss] }), toArray()),
      );
    return { w, out, drive };
  }

  it('a subscriber added while a frame is delivered gets the frames after it, not that one', async () => {
    const { out, drive } = rig();
    const late: number[] = [];
    let added = false;
    const first = out.subscribe(({ tick }) => {
      if (tick === 1 && !added) {
        added = true;
        out.subscribe(({ tick: t }) => late.push(t));
      }
    });
    await drive(4);
    first.unsubscribe();
    expect(late).toEqual([2, 3]);
  });

  it('a subscriber that unsubscribes another during delivery stops it at once', async () => {
    const { w, drive } = rig();
    const seen: string[] = [];
    let second: { unsubscribe(): void } | null = null;
    w.grad$.subscribe(({ tick }) => {
      seen.push(`a${tick}`);
      if (tick === 1) second!.unsubscribe();
    });
    second = w.grad$.subscribe(({ tick }) => seen.push(`b${tick}`));
    await drive(3);
    expect(seen).toEqual(['a0', 'b0', 'a1', 'a2']);
  });

  it('completion reaches every subscriber; an unobserved face costs nothing and a new subscriber starts afresh', async () => {
    const { out, w, drive } = rig();
    const done: string[] = [];
    out.subscribe({ complete: () => done.push('out 1') });
    out.subscribe({ complete: () => done.push('out 2') });
    w.grad$.subscribe({ complete: () => done.push('grad') });
    await drive(2);
    // Nodes complete in the program's order; a node's subscribers in subscription order.
    expect([...done].sort()).toEqual(['grad', 'out 1', 'out 2']);
    expect(done.indexOf('out 1')).toBeLessThan(done.indexOf('out 2'));
    const again: number[] = [];
    const sub = out.subscribe(({ tick }) => again.push(tick));
    await drive(2);
    sub.unsubscribe();
    expect(again).toEqual([0, 1]);
    // Watched only while subscribed: after the last unsubscribe the run is back to no face at all.
    const watched: number[] = [];
    const s1 = out.subscribe(({ tick }) => watched.push(tick));
    const s2 = out.subscribe(({ tick }) => watched.push(100 + tick));
    s1.unsubscribe();
    s2.unsubscribe();
    expect(out.face).toBeNull();
    await drive(1);
    expect(watched).toEqual([]);
  });
});
