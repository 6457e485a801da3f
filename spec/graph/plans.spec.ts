/**
 * The engine's use of fixed-shape plans (OpSpec.plan): a compiled run asks each op for a plan after
 * the first tick, runs it while the inputs keep those shapes, and runs the op itself on any tick
 * with other shapes. Results must not depend on which ran: the same bits as the interpreter (which
 * never plans), through shape changes, and errors on a later tick still name the user's node.
 */
import { from, lastValueFrom, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  type Param, StandardScaler, type Tensor, accuracy, add, bceWithLogits, defineOp, standardize, input, learn, linear, mse, param, randn, setCompiledTicks, sgd, sigmoid, tanh, tensor, zeros,
} from '../../src/index.js';

/** A two-layer network over rows of 3 features; `rows` samples of batches that change size. */
function model(seed: number, reduction: 'mean' | 'none') {
  const l1 = linear(3, 4, { seed }), l2 = linear(4, 1, { seed: seed + 1 });
  const x = input([null, 3]), y = input([null, 1]);
  const out = x.pipe(l1, tanh(), l2, sigmoid());
  return { x, y, loss: mse(out, y, { reduction }), params: [...l1.params, ...l2.params] as Param[] };
}
const batch = (i: number, rows: number) => ({
  x: Array.from({ length: rows }, (_, r) => [Math.sin(i + r), Math.cos(3 * i - r), ((i + r) % 5) - 2]),
  y: Array.from({ length: rows }, (_, r) => [(i + r) % 2]),
});
const bits = (ps: Param[]) => ps.flatMap((p) => Array.from(p.value.data, (v) => (Object.is(v, -0) ? '-0' : v)));

async function train(compiled: boolean, sizes: readonly number[], reduction: 'mean' | 'none' = 'mean') {
  const m = model(5, reduction);
  const previous = setCompiledTicks(compiled);
  try {
    const steps = await lastValueFrom(
      from(sizes.map((rows, i) => batch(i, rows))).pipe(
        learn({ inputs: [m.x, m.y], feed: (s) => [s.x, s.y], loss: m.loss, optimizer: sgd({ lr: 0.5, momentum: 0.5 }) }),
        toArray(),
      ),
    );
    return { losses: steps.map((s) => s.loss), params: bits(m.params) };
  } finally {
    setCompiledTicks(previous);
  }
}

describe('plans in a compiled run', () => {
  it('train to the interpreter’s bits while the batch size changes (planned, other, planned again)', async () => {
    const sizes = [1, 1, 1, 3, 3, 1, 2, 1, 1, 1, 4, 1, 1];
    for (const reduction of ['mean', 'none'] as const) {
      // 'none': the loss itself changes shape with the batch, and so does its gradient seed.
      const [compiled, interpreted] = [await train(true, sizes, reduction), await train(false, sizes, reduction)];
      expect(compiled.losses).toEqual(interpreted.losses);
      expect(compiled.params).toEqual(interpreted.params);
    }
  });

  it('a streaming classifier (standardize, dense, bceWithLogits, sigmoid prediction) gives the interpreter’s bits', async () => {
    const run = async (compiled: boolean) => {
      const x = input([3]), y = input([1]);
      const l1 = linear(3, 5, { seed: 8 }), l2 = linear(5, 1, { seed: 9 });
      const logit = x.pipe(standardize(new StandardScaler()), l1, tanh(), l2);
      const previous = setCompiledTicks(compiled);
      try {
        const steps = await lastValueFrom(
          from(Array.from({ length: 60 }, (_, i) => batch(i, 1))).pipe(
            learn({
              inputs: [x, y], feed: (s) => [s.x[0]!, s.y[0]!], loss: bceWithLogits(logit, y), optimizer: sgd({ lr: 0.2 }),
              prediction: logit.pipe(sigmoid()), target: (s) => s.y[0]![0]!, metrics: { acc: accuracy() },
            }),
            toArray(),
          ),
        );
        return { steps: steps.map((s) => [s.loss, s.prediction!.data[0], s.metrics.acc]), params: bits([...l1.params, ...l2.params]) };
      } finally {
        setCompiledTicks(previous);
      }
    };
    const [compiled, interpreted] = [await run(true), await run(false)];
    expect(compiled.steps).toEqual(interpreted.steps);
    expect(compiled.params).toEqual(interpreted.params);
  });

  it('run from the second tick on while shapes hold, and the op itself on ticks with other shapes', async () => {
    const calls = { forward: 0, backward: 0, planForward: 0, planBackward: 0, plans: 0 };
    // 3x, with a plan that counts its calls.
    const triple = defineOp({
      name: 'triple',
      arity: 1,
      forward: ([x]) => (calls.forward++, tensor(Array.from(x.data, (v) => 3 * v), { shape: [...x.shape] })),
      backward: (g) => (calls.backward++, [tensor(Array.from(g.data, (v) => 3 * v), { shape: [...g.shape] })]),
      plan: ([x0]) => {
        calls.plans++;
        const out = tensor(new Array(x0.size).fill(0), { shape: [...x0.shape] }), dx = tensor(new Array(x0.size).fill(0), { shape: [...x0.shape] });
        return {
          forward: ([x]) => (calls.planForward++, out.data.forEach((_, i) => (out.data[i] = 3 * x!.data[i]!)), out),
          backward: (g: Tensor) => (calls.planBackward++, dx.data.forEach((_, i) => (dx.data[i] = 3 * g.data[i]!)), [dx]),
        };
      },
    });
    const x = input([null]), w = param(tensor([0.5])), y = input([null]);
    const loss = mse(triple(add(x, w)), y);
    const rows = [2, 2, 2, 3, 2, 2];
    calls.forward = 0; // wiring may have run the op on example values to infer shapes
    const steps = await lastValueFrom(
      from(rows).pipe(learn({ inputs: [x, y], feed: (n) => [new Array(n).fill(0.5), new Array(n).fill(1)], loss, optimizer: sgd({ lr: 0.1 }) }), toArray()),
    );
    expect(steps).toHaveLength(rows.length);
    expect(calls.plans).toBe(1);
    // The op on tick 0 (the plan is made after it) and on tick 3 (3 rows); the plan on the other four.
    expect([calls.forward, calls.backward]).toEqual([2, 2]);
    expect([calls.planForward, calls.planBackward]).toEqual([4, 4]);
    // And w learned the same as without a plan: 3(0.5 + w) against 1, each tick.
    let ref = 0.5;
    for (let t = 0; t < rows.length; t++) ref -= 0.1 * (2 * (3 * (0.5 + ref) - 1) * 3);
    expect(w.value.data[0]).toBeCloseTo(ref, 12);
  });

  it('a custom plan that returns a gradient of the wrong shape is caught on the tick it happens, naming the op', async () => {
    const halve = defineOp({
      name: 'halve',
      arity: 1,
      forward: ([x]) => tensor(Array.from(x.data, (v) => v / 2), { shape: [...x.shape] }),
      backward: (g) => [tensor(Array.from(g.data, (v) => v / 2), { shape: [...g.shape] })],
      plan: ([x0]) => {
        const out = tensor(new Array(x0.size).fill(0), { shape: [...x0.shape] });
        return { forward: ([x]) => (x!.data.forEach((v, i) => (out.data[i] = v / 2)), out), backward: () => [tensor([1, 2, 3])] };
      },
    });
    const x = input([2]), w = param(tensor([0.5, 0.5])), y = input([2]);
    const loss = mse(halve(add(x, w)), y);
    const error = await lastValueFrom(
      from([0, 1, 2]).pipe(learn({ inputs: [x, y], feed: () => [[1, 2], [0, 0]], loss, optimizer: sgd({ lr: 0.1 }) }), toArray()),
    ).catch((e: Error) => e);
    // Tick 0 runs the op (correct); tick 1 runs the plan, whose gradient is [3] for a [2] input.
    expect((error as Error).message).toMatch(/^halve at tick 1: backward: gradient for input 0 should be \[2\] float64, got \[3\] float64/);
  });

  it('a plan hook that throws is reported as that op’s plan failing, at the tick it was asked for', async () => {
    const same = defineOp({
      name: 'same',
      arity: 1,
      forward: ([x]) => x.clone(),
      backward: (g) => [g],
      plan: () => {
        throw new Error('no plan today');
      },
    });
    const x = input([2]), w = param(tensor([0.5, 0.5])), y = input([2]);
    const error = await lastValueFrom(
      from([0, 1]).pipe(learn({ inputs: [x, y], feed: () => [[1, 2], [0, 0]], loss: mse(same(add(x, w)), y), optimizer: sgd({ lr: 0.1 }) }), toArray()),
    ).catch((e: Error) => e);
    expect((error as Error).message).toMatch(/^same at tick 0: plan: no plan today/);
  });

  it('a shape error on a later tick still names the node the user wrote', async () => {
    const W = param(randn([2, 3], { seed: 3 })), b = param(zeros([3]));
    const x = input([null]), y = input([3]);
    const loss = mse(x.pipe(linear(2, 3, { init: () => W.value, biasInit: () => b.value }), sigmoid()), y);
    const feeds = [[1, 2], [3, 4], [5, 6, 7]];
    const error = await lastValueFrom(
      from(feeds).pipe(learn({ inputs: [x, y], feed: (f) => [f, [0, 0, 0]], loss, optimizer: sgd({ lr: 0.1 }) }), toArray()),
    ).catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(/matmul.* at tick 2: inner dimensions differ.*\[3\], \[2,3\]/);
  });
});
