/**
 * Random graphs built from registry ops — fan-out, diamonds, shared parameters, several inputs —
 * checked two ways:
 *  1. every parameter's and input's gradient against finite differences of the same function
 *     (gradcheck on the whole graph), which catches wiring bugs per-op checks cannot;
 *  2. streamed with several ticks in flight and the inputs arriving in a random interleaving, each
 *     tick's gradients are bit-identical to that tick run alone.
 */
import fc from 'fast-check';
import { Subject, lastValueFrom, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  type Frame, type Node, type Param, type Tensor, add, input, matmul, mean, mul, param, retainedTicks, runSync,
  sigmoid, softplus, square, stream, sub, sum, tanh, tensor, defineOp, kernels,
} from '../../src/index.js';
import { assertGradcheck } from '../../src/testing/index.js';
import { fromGraph } from '../../src/testing/from-graph.js';

/** All nodes have shape [2, 3] (params used in matmul are [3, 3]); a recipe picks ops and operands. */
type Step =
  | { kind: 'unary'; op: 0 | 1 | 2 | 3; a: number }
  | { kind: 'binary'; op: 0 | 1 | 2; a: number; b: number }
  | { kind: 'matmul'; a: number; w: number };

interface Recipe {
  inputs: number[][][]; // per input, its [2,3] values for tick 0
  params: number[][][]; // [2,3] params (elementwise use)
  weights: number[][][]; // [3,3] params (matmul)
  steps: Step[];
  outputs: number[]; // nodes summed into the loss
}

const value = fc.double({ min: -1, max: 1, noNaN: true });
const mat = (r: number, c: number) => fc.array(fc.array(value, { minLength: c, maxLength: c }), { minLength: r, maxLength: r });

const recipeArb: fc.Arbitrary<Recipe> = fc
  .record({ nIn: fc.integer({ min: 1, max: 3 }), nPar: fc.integer({ min: 1, max: 2 }), nW: fc.integer({ min: 1, max: 2 }), nSteps: fc.integer({ min: 2, max: 8 }) })
  .chain(({ nIn, nPar, nW, nSteps }) => {
    const leaves = nIn + nPar;
    const stepArb = (available: number): fc.Arbitrary<Step> =>
      fc.oneof(
        fc.record({ kind: fc.constant('unary' as const), op: fc.constantFrom(0, 1, 2, 3) as fc.Arbitrary<0 | 1 | 2 | 3>, a: fc.nat(available - 1) }),
        fc.record({ kind: fc.constant('binary' as const), op: fc.constantFrom(0, 1, 2) as fc.Arbitrary<0 | 1 | 2>, a: fc.nat(available - 1), b: fc.nat(available - 1) }),
        fc.record({ kind: fc.constant('matmul' as const), a: fc.nat(available - 1), w: fc.nat(nW - 1) }),
      );
    return fc.record({
      inputs: fc.array(mat(2, 3), { minLength: nIn, maxLength: nIn }),
      params: fc.array(mat(2, 3), { minLength: nPar, maxLength: nPar }),
      weights: fc.array(mat(3, 3), { minLength: nW, maxLength: nW }),
      steps: fc.tuple(...Array.from({ length: nSteps }, (_, k) => stepArb(leaves + k))),
      outputs: fc.uniqueArray(fc.nat(leaves + nSteps - 1), { minLength: 1, maxLength: 3 }),
    });
  });

function build(r: Recipe) {
  const inputs = r.inputs.map(() => input([2, 3]));
  const params: Param[] = r.params.map((p) => param(tensor(p)));
  const weights: Param[] = r.weights.map((w) => param(tensor(w)));
  const nodes: Node[] = [...inputs, ...params];
  const unary: ((n: Node) => Node)[] = [sigmoid(), tanh(), square(), softplus()];
  const binary = [add, sub, mul] as const;
  for (const s of r.steps) {
    if (s.kind === 'unary') nodes.push(nodes[s.a]!.pipe(unary[s.op]!));
    else if (s.kind === 'binary') nodes.push(binary[s.op](nodes[s.a]!, nodes[s.b]!));
    else nodes.push(nodes[s.a]!.pipe(matmul(weights[s.w]!), mul(1 / 3)));
  }
  // Always include the last node so most steps are live, and an input so the stream has ticks;
  // outputs may repeat nodes (fan-out into the loss).
  const picked = [...new Set([nodes.length - 1, 0, ...r.outputs])].map((i) => nodes[i]!.pipe(mean()));
  const loss = picked.length === 1 ? picked[0]! : picked.reduce((acc, n) => add(acc, n));
  return { inputs, trainable: [...params, ...weights], loss };
}

describe('random graphs', () => {
  it('every parameter and input gradient of a random graph matches finite differences', () => {
    fc.assert(
      fc.property(recipeArb, (r) => {
        const { inputs, trainable, loss } = build(r);
        const values = [...r.inputs.map((v) => tensor(v)), ...trainable.map((p) => p.value)];
        // gradcheck takes the graph itself: its output, and the nodes whose values are `values`.
        assertGradcheck({ output: loss, wrt: [...inputs, ...trainable] }, values);
      }),
      { numRuns: 100 },
    );
  });

  it('the whole-graph check fails when one node in the graph has a wrong backward', () => {
    const half = defineOp({ name: 'halfWrong', arity: 1, forward: ([x]) => x, backward: (g) => [kernels.scale(g, 0.5)] });
    const W = param(tensor([[0.3, -0.2, 0.1], [0.5, 0.4, -0.6], [0.2, 0.2, 0.2]]));
    const x = input([2, 3]);
    const h = x.pipe(matmul(W), sigmoid());
    const loss = add(h.pipe(half(), mean()), h.pipe(square(), mean())); // fan-out, one branch wrong
    expect(() => assertGradcheck(fromGraph(loss, { wrt: [x, W] }), [tensor([[1, 2, 3], [-1, 0, 1]]), W.value])).toThrow(/mismatch/i);
  });

  it('with several ticks in flight and inputs arriving interleaved, each tick’s gradients equal that tick run alone', async () => {
    await fc.assert(
      fc.asyncProperty(recipeArb, fc.integer({ min: 2, max: 4 }), fc.infiniteStream(fc.nat()), async (r, ticks, order) => {
        const { inputs, trainable, loss } = build(r);
        // Per tick, every input gets a different value (shifted copies of the recipe's values).
        const valueOf = (i: number, t: number): Tensor => tensor(r.inputs[i]!.map((row) => row.map((v) => v * (1 - 0.2 * t))));
        const expected = Array.from({ length: ticks }, (_, t) =>
          runSync(loss, { feed: inputs.map((x, i) => [x, valueOf(i, t)] as const), wrt: trainable }).grads,
        );
        // Arrival order: a random interleaving of (input, tick) deliveries.
        const pending = inputs.flatMap((_, i) => Array.from({ length: ticks }, (_, t) => [i, t] as const));
        const it = order[Symbol.iterator]();
        const arrivals: (readonly [number, number])[] = [];
        while (pending.length > 0) arrivals.push(pending.splice(it.next().value! % pending.length, 1)[0]!);
        const subjects = inputs.map(() => new Subject<Frame<Tensor>>());
        const got = trainable.map(() => new Map<number, Tensor>());
        const subs = trainable.map((p, k) => p.grad$.subscribe((f) => got[k]!.set(f.tick, f.value)));
        const done = lastValueFrom(stream(loss, { feed: inputs.map((x, i) => [x, subjects[i]!] as const), train: [loss] }).pipe(toArray()));
        for (const [i, t] of arrivals) subjects[i]!.next({ tick: t, value: valueOf(i, t) });
        subjects.forEach((s) => s.complete());
        const frames = await done;
        subs.forEach((s) => s.unsubscribe());
        expect(frames.map((f) => f.tick).sort()).toEqual(Array.from({ length: ticks }, (_, t) => t));
        for (let k = 0; k < trainable.length; k++) {
          for (let t = 0; t < ticks; t++) {
            const e = expected[t]![k]!, a = got[k]!.get(t);
            if (e.data.every((v) => v === 0) && a === undefined) continue; // no gradient reached it
            expect(a && Array.from(a.data)).toEqual(Array.from(e.data));
          }
        }
        expect(retainedTicks()).toBe(0);
      }),
      { numRuns: 100 },
    );
  });
});

describe('compiled ticks', () => {
  it('a random graph trained through `through` gives the same bits compiled and interpreted', async () => {
    const { from, lastValueFrom: last, toArray: all } = await import('rxjs');
    const { through, setCompiledTicks, kernels: k } = await import('../../src/index.js');
    await fc.assert(
      fc.asyncProperty(recipeArb, async (r) => {
        const run = async (compiled: boolean) => {
          const { inputs, trainable, loss } = build(r);
          const previous = setCompiledTicks(compiled);
          const subs = trainable.map((p) => p.grad$.subscribe(({ value }) => p.assign(k.sub(p.value, k.scale(value, 0.05)))));
          const samples = Array.from({ length: 4 }, (_, t) => inputs.map((_, i) => tensor(r.inputs[i]!.map((row) => row.map((v) => v * (1 - 0.2 * t))))));
          const frames = await last(from(samples).pipe(through(loss, { inputs, feed: (s) => s, train: [loss] }), all()));
          subs.forEach((s) => s.unsubscribe());
          setCompiledTicks(previous);
          return [...frames.map((f) => Array.from(f.value.data)), ...trainable.map((p) => Array.from(p.value.data))];
        };
        expect(await run(true)).toEqual(await run(false));
      }),
      { numRuns: 60 },
    );
  });
});
