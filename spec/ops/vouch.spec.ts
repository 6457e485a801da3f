/**
 * OpPlan.vouchesFinite lets learn skip reading a gradient: a plan that vouches for a gradient that
 * is not finite would let a NaN into the parameters silently. So every plan that vouches is run here
 * on values chosen to overflow (huge, infinite, NaN, mixed with ordinary ones), and each gradient it
 * vouches for must be finite element by element. Ordinary values must be vouched for, or the
 * optimisation would silently do nothing. The checker is itself tried on a voucher that ignores the
 * size of the products.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { from, lastValueFrom, toArray } from 'rxjs';
import { type AnyOp, type OpName, type OpPlan, registry } from '../../src/ops/index.js';
import { opTable } from './op-table.js';
import { type Tensor, tensor } from '../../src/tensor/index.js';
import { constant, input, learn, linear, mul, param, relu, sgd, sqrt, sum } from '../../src/index.js';

const value = fc.oneof(
  { weight: 6, arbitrary: fc.double({ min: -10, max: 10, noNaN: true }) },
  { weight: 2, arbitrary: fc.constantFrom(1e75, -2e75, 1.3e154, -1.3e154, 1e200, -1e300, 4e307) },
  { weight: 1, arbitrary: fc.constantFrom(Infinity, -Infinity, NaN) },
);
const values = (n: number) => fc.array(value, { minLength: n, maxLength: n });

/** A dense or affine case: m rows (a rank-1 x when m is 0), k inputs, n outputs, and g. */
const layerCase = fc
  .record({ m: fc.integer({ min: 0, max: 3 }), k: fc.integer({ min: 1, max: 5 }), n: fc.integer({ min: 1, max: 5 }), op: fc.constantFrom('affine', 'sigmoid', 'tanh', 'relu') })
  .chain(({ m, k, n, op }) =>
    fc.record({ op: fc.constant(op), m: fc.constant(m), k: fc.constant(k), n: fc.constant(n), x: values(Math.max(m, 1) * k), w: values(k * n), b: values(n), g: values(Math.max(m, 1) * n) }),
  );

/** Whether to trust `grad` unread; `given` holds every value of the case (x, W, b and g). */
type Voucher = (plan: OpPlan, grad: Tensor, given: readonly number[]) => boolean;

/** Cases where `voucher` vouches for a gradient that is not finite (empty when it is sound). */
function falseVouches(voucher: Voucher, runs: number): string[] {
  const found: string[] = [];
  fc.assert(
    fc.property(layerCase, ({ op, m, k, n, x, w, b, g }) => {
      const xs = m === 0 ? tensor(x) : tensor(x, { shape: [m, k] });
      const inputs = [xs, tensor(w, { shape: [k, n] }), tensor(b)];
      const spec = (op === 'affine' ? registry.affine : registry.dense) as AnyOp;
      const plan = spec.plan!(inputs, op === 'affine' ? {} : { activation: op }, [true, true, true]);
      if (plan === null) return;
      plan.forward(inputs);
      const grads = plan.backward(tensor(g, { shape: m === 0 ? [n] : [m, n] }));
      grads.forEach((grad, i) => {
        if (grad !== null && voucher(plan, grad, [...x, ...w, ...b, ...g]) && !Array.from(grad.data).every(Number.isFinite)) found.push(`${op} m=${m} input ${i}`);
      });
    }),
    { numRuns: runs },
  );
  return found;
}

const planVouches: Voucher = (plan, grad) => plan.vouchesFinite?.(grad) ?? false;

describe('plans that vouch for finite gradients', () => {
  it('are exactly those of dense and affine, the ones the property below covers', () => {
    // A plan that vouches and is not covered here could let a NaN into the parameters unseen.
    const vouching = (Object.keys(registry) as OpName[]).filter((name) => {
      const op = registry[name] as AnyOp;
      if (op.plan === null) return false;
      let found = false;
      fc.assert(
        fc.property(opTable[name].cases('float64'), ({ inputs, attrs }) => {
          const plan = op.plan!(inputs, attrs ?? {}, inputs.map(() => true));
          if (plan !== null && typeof plan.vouchesFinite === 'function') found = true;
        }),
        { numRuns: 30 },
      );
      return found;
    });
    expect(vouching.sort()).toEqual(['affine', 'dense']);
  });

  it('never vouch for a gradient with a non-finite element (dense, affine; huge, infinite and NaN values)', () => {
    expect(falseVouches(planVouches, 3_000)).toEqual([]);
  });

  it('does not vouch when finite products sum past the largest double over the batch', () => {
    // Each product 1.3e154² ≈ 1.7e308 is finite; the sum over two rows is not.
    const inputs = [tensor([[1.3e154], [1.3e154]]), tensor([[1]]), tensor([0])];
    const plan = registry.affine.plan!(inputs as never, {}, [true, true, true])!;
    plan.forward(inputs);
    const [, dw] = plan.backward(tensor([[1.3e154], [1.3e154]]));
    expect(dw!.data[0]).toBe(Infinity);
    expect(plan.vouchesFinite!(dw!)).toBe(false);
  });

  it('vouch for ∂W and ∂b on ordinary values, not for ∂x', () => {
    for (const op of ['affine', 'tanh'] as const) {
      const inputs = [tensor([0.5, -1]), tensor([[1, 2], [3, 4]]), tensor([0.1, 0.2])];
      const spec = (op === 'affine' ? registry.affine : registry.dense) as AnyOp;
      const plan = spec.plan!(inputs, op === 'affine' ? {} : { activation: op }, [true, true, true])!;
      plan.forward(inputs);
      const [dx, dw, db] = plan.backward(tensor([1, -1]));
      expect([plan.vouchesFinite!(dx!), plan.vouchesFinite!(dw!), plan.vouchesFinite!(db!)], op).toEqual([false, true, true]);
      // After a forward the stored gradients belong to the last backward, not to these inputs.
      plan.forward(inputs);
      expect(plan.vouchesFinite!(dw!), `${op} after a forward`).toBe(false);
    }
  });

  it('the checker catches a voucher that looks at finiteness only, not at the size of the products', () => {
    // Vouches whenever every value going in is finite: 1e200 · 1e200 still overflows.
    const naive: Voucher = (_plan, _grad, given) => given.every(Number.isFinite);
    expect(falseVouches(naive, 3_000).length).toBeGreaterThan(0);
  });
});

describe('learn with vouching plans', () => {
  // learn asks plans only about gradients of 256 elements or more (smaller ones it reads).
  const units = 256;

  it('still stops on a gradient that overflows under a finite loss', async () => {
    // loss = 1e300 · Σ relu(x·W + b): tiny forward values, so the loss is finite, while
    // ∂W = x · 1e300 overflows for x = 1e10.
    const layer = linear(1, units, { init: () => tensor(new Array(units).fill(1e-20), { shape: [1, units] }), biasInit: () => tensor(new Array(units).fill(0)) });
    const x = input([1]);
    const loss = mul(x.pipe(layer, relu(), sum()), constant(tensor(1e300)));
    const err = await lastValueFrom(
      from([[1], [1e10]]).pipe(learn({ inputs: [x], feed: (v) => [v], loss, optimizer: sgd({ lr: 1e-320 }) }), toArray()),
    ).catch((e) => e);
    expect(err.message).toMatch(/non-finite value in a gradient \(.*\) at tick 1/);
  });

  it('still reads a large gradient whose reader cannot vouch (no plan), and stops on its NaN', async () => {
    const p = param(tensor(new Array(units).fill(1)), { name: 'p' }), x = input([units]);
    const loss = x.pipe(mul(p), sqrt(), sum()); // sqrt'(0) = ∞: a zero in x gives a NaN in ∂p
    const rows = [0, 1].map((t) => Array.from({ length: units }, (_, i) => (t === 1 && i === 200 ? 0 : 1 + i)));
    const err = await lastValueFrom(from(rows).pipe(learn({ inputs: [x], feed: (v) => [v], loss, optimizer: sgd({ lr: 0.01 }) }))).catch((e) => e);
    expect(err.message).toMatch(/non-finite value in a gradient \(p\) at tick 1/);
  });
});
