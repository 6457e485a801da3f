/**
 * Fixed-shape plans (OpSpec.plan) must give their op's bits exactly: the engine runs the plan on
 * ticks with the planned shapes and the op itself on any other, so a difference would make training
 * depend on scheduling. Every registered op that has a plan is checked here on the gradient table's
 * cases (spec/ops/op-table.ts), in float64 and float32, with every subset of gradients asked for and
 * a second call on other values (a plan reuses its storage). The checker itself must catch planted
 * differences, or these tests could not fail.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type AnyOp, type OpName, type OpPlan, defineOp, registry } from '../../src/ops/index.js';
import { type Tensor, tensor } from '../../src/tensor/index.js';
import { dense } from '../../src/index.js';
import { planMismatches } from '../../src/testing/index.js';
import { opTable } from './op-table.js';

const names = (Object.keys(registry) as OpName[]).filter((n) => (registry[n] as AnyOp).plan !== null);

/** The same shapes and dtypes with other values: each tensor's elements reversed and scaled. */
const otherValues = (inputs: readonly Tensor[]): Tensor[] =>
  inputs.map((t) => tensor(Array.from(t.data).reverse().map((v) => v * 0.75), { shape: [...t.shape], dtype: t.dtype }));

describe('plans give their op’s bits', () => {
  it('the ops with a plan are the hot ones of online training', () => {
    expect(names.sort()).toEqual(['affine', 'bceWithLogits', 'dense', 'mse', 'sigmoid']);
  });

  for (const name of names) {
    it(name, () => {
      const op = registry[name] as AnyOp;
      for (const dtype of ['float64', 'float32'] as const) {
        let planned = 0;
        fc.assert(
          fc.property(opTable[name].cases(dtype), fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }), ({ inputs, attrs }, asked) => {
            const needs = inputs.map((_, i) => asked[i]! && op.isDifferentiable(i));
            const report = planMismatches(op, inputs, { attrs: attrs ?? {}, needs, again: [otherValues(inputs)] });
            if (report.planned) planned++;
            expect(report.mismatches).toEqual([]);
          }),
          { numRuns: 150 },
        );
        // Many generated cases fit a plan (the others broadcast in ways the plan leaves to the op):
        // about 40% for dense and affine, the fewest (measured over 3,000 draws); 25 of 150 is more than
        // five standard deviations below.
        expect(planned, `${name} ${dtype}`).toBeGreaterThan(25);
      }
    });
  }

  it('dense: saturated units take their slope from the kept z, exactly where the op recomputes it', () => {
    for (const [activation, zs] of [['sigmoid', [12.999999, 13, 40, -40]], ['tanh', [3.9999999, 4, -4, 20]], ['relu', [0, -0, 1e-300]]] as const) {
      const x = tensor([1]), w = tensor([[...zs]]), b = tensor(zs.map(() => 0));
      const report = planMismatches(dense, [x, w, b], { attrs: { activation }, again: [[tensor([-1]), w, b], [tensor([0.5]), w, b]] });
      expect(report.planned).toBe(true);
      expect(report.mismatches).toEqual([]);
    }
  });

  it('declines what it does not plan: broadcast batches of affine, mismatched mse shapes', () => {
    expect(planMismatches(registry.affine, [tensor([[[1, 2]]]), tensor([[1], [1]]), tensor([0])]).planned).toBe(false);
    expect(planMismatches(registry.mse, [tensor([1, 2]), tensor([[1, 2]])]).planned).toBe(false);
  });
});

describe('planMismatches catches a plan that differs', () => {
  /** doubles: 2x, with a plan that can be made wrong in one place. */
  const doubles = (flaw: 'none' | 'forward' | 'backward' | 'stale' | 'extra') =>
    defineOp({
      name: 'doubles',
      arity: 1,
      forward: ([x]) => tensor(Array.from(x.data, (v) => 2 * v), { shape: [...x.shape] }),
      backward: (g) => [tensor(Array.from(g.data, (v) => 2 * v), { shape: [...g.shape] })],
      plan: ([x0], _attrs, needs): OpPlan => {
        const out = tensor(new Array(x0.size).fill(0), { shape: [...x0.shape] });
        const dx = tensor(new Array(x0.size).fill(0), { shape: [...x0.shape] });
        let calls = 0;
        return {
          forward([x]) {
            calls++;
            // 'stale': the second call forgets to recompute.
            if (!(flaw === 'stale' && calls > 1)) for (let i = 0; i < x!.size; i++) out.data[i] = 2 * x!.data[i]! * (flaw === 'forward' && i === 1 ? 1 + 2 ** -52 : 1);
            return out;
          },
          backward(g) {
            for (let i = 0; i < g.size; i++) dx.data[i] = flaw === 'backward' && i === 0 ? -0 * g.data[i]! : 2 * g.data[i]!;
            return [needs[0] || flaw === 'extra' ? dx : null];
          },
        };
      },
    });
  const x = tensor([0, 3, -1]);

  it('agrees with a correct plan', () => {
    expect(planMismatches(doubles('none'), [x], { again: [[tensor([1, 1, 1])]] })).toEqual({ planned: true, mismatches: [] });
  });

  it('one ulp off in the forward', () => {
    expect(planMismatches(doubles('forward'), [x]).mismatches).toEqual(['doubles plan, call 1, forward: element 1 is 6.000000000000002 where the op gives 6']);
  });

  it('a signed zero in a gradient (upstream g[0] is −2, so 2g is −4 and −0·g is +0)', () => {
    expect(planMismatches(doubles('backward'), [x]).mismatches).toEqual(['doubles plan, call 1, gradient 0: element 0 is 0 where the op gives -4']);
  });

  it('a value left over from the previous call', () => {
    expect(planMismatches(doubles('stale'), [x], { again: [[tensor([1, 1, 1])]] }).mismatches).toEqual([
      'doubles plan, call 2, forward: element 0 is 0 where the op gives 2',
    ]);
  });

  it('a gradient that was not asked for', () => {
    expect(planMismatches(doubles('extra'), [x], { needs: [false] }).mismatches).toEqual(['doubles plan, call 1, gradient 0 (not asked for): a tensor where the op gives null']);
  });
});
