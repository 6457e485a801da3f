import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Tensor, kernels, normalizeAxes, reducedShape, sizeOf, tensor } from '../../src/tensor/index.js';
import { near, shapeArb, tensorOf, unravel } from './helpers.js';

const { sum, mean, max, min, sumTo, reductionIndex } = kernels;
const x234 = tensor(Array.from({ length: 24 }, (_, i) => i), { shape: [2, 3, 4] });

/** A reduction by hand: group elements by their index with the reduced axes dropped. */
function naiveReduce(x: Tensor, axes: number[], init: number, f: (acc: number, v: number) => number): number[] {
  const outShape = reducedShape(x.shape, axes, false);
  const out = new Array<number>(sizeOf(outShape)).fill(init);
  for (let i = 0; i < x.size; i++) {
    const kept = unravel(x.shape, i).filter((_, d) => !axes.includes(d));
    const o = kept.reduce((acc, v, d) => acc * outShape[d]! + v, 0);
    out[o] = f(out[o]!, x.data[i]!);
  }
  return out;
}

/** A tensor with a random subset of its axes, each written positive or negative. */
const caseArb = fc
  .tuple(shapeArb(4, 4, 1), fc.boolean())
  .chain(([s, keepdims]) =>
    fc.tuple(
      tensorOf(s),
      fc.subarray(s.map((_, i) => i)).chain((ax) => fc.tuple(...ax.map((a) => fc.constantFrom(a, a - s.length))).map((axes) => axes as number[])),
      fc.constant(keepdims),
    ),
  );

describe('sum over leading axes (a bias gradient summed over the batch) and the shared index', () => {
  it('sums over leading axes to the bit of a row-major by-hand sum', () => {
    fc.assert(
      fc.property(shapeArb(4, 5, 1).filter((s) => s.length >= 2).chain((s) => fc.tuple(tensorOf(s), fc.integer({ min: 1, max: s.length - 1 }))), ([t, lead]) => {
        const axes = Array.from({ length: lead }, (_, i) => i);
        const expected = naiveReduce(t, axes, 0, (a, v) => a + v);
        const got = sum(t, { axes });
        got.data.forEach((v, i) => expect(Object.is(v, expected[i]!)).toBe(true));
      }),
      { numRuns: 200, seed: 31 },
    );
  });

  it('sharedReductionIndex equals reductionIndex and is made once per shape and axes', async () => {
    const { sharedReductionIndex } = await import('../../src/tensor/reduce.js');
    const a = sharedReductionIndex([3, 4, 5], [1]);
    expect(Array.from(a)).toEqual(Array.from(reductionIndex([3, 4, 5], [1])));
    expect(sharedReductionIndex([3, 4, 5], [1])).toBe(a);
    expect(sharedReductionIndex([3, 4, 5], [2])).not.toBe(a);
  });
});

describe('sum / mean', () => {
  it('reduce any axes, with or without kept dims', () => {
    expect(sum(x234).item()).toBe(276);
    expect(sum(x234, { axes: 0 }).toArray()).toEqual([[12, 14, 16, 18], [20, 22, 24, 26], [28, 30, 32, 34]]);
    expect(sum(x234, { axes: [0, 2] }).toArray()).toEqual([60, 92, 124]);
    expect(sum(x234, { axes: [0, 2], keepdims: true }).shape).toEqual([1, 3, 1]);
    expect(sum(x234, { axes: -1 }).toArray()).toEqual([[6, 22, 38], [54, 70, 86]]);
    expect(sum(x234, { axes: [] }).toArray()).toEqual(x234.toArray());
    expect(mean(x234, { axes: [1, 2] }).toArray()).toEqual([5.5, 17.5]);
    expect(mean(tensor([[1, 2], [3, 4]]), { axes: 0, keepdims: true }).toArray()).toEqual([[2, 3]]);
  });

  it('handle scalars and empty axes (sum 0, mean NaN as PyTorch)', () => {
    expect(sum(tensor(5)).toArray()).toBe(5);
    expect(sum(tensor([], { shape: [0, 3] }), { axes: 0 }).toArray()).toEqual([0, 0, 0]);
    expect(mean(tensor([])).item()).toBeNaN();
  });

  it('keep the dtype', () => {
    expect(sum(tensor([1, 2], { dtype: 'float32' })).dtype).toBe('float32');
    expect(mean(tensor([[1, 2]], { dtype: 'float32' }), { axes: 1 }).dtype).toBe('float32');
  });

  it('reject axes out of range and repeated axes, naming the op', () => {
    expect(() => sum(x234, { axes: 3 })).toThrow('sum: axis 3 is out of range for rank 3');
    expect(() => mean(x234, { axes: -4 })).toThrow(/mean: axis -4/);
    expect(() => sum(x234, { axes: [2, -1] })).toThrow('sum: axis 2 is repeated in [2,-1]');
  });

  it('over all axes equals the sum of the data, in the same order, to the bit', () => {
    fc.assert(
      fc.property(shapeArb().chain(tensorOf), (t) => {
        let acc = 0;
        for (const v of t.data) acc += v;
        expect(sum(t).item()).toBe(acc);
      }),
    );
  });

  it('match a by-hand reduction for any axes (negative or not), keepdims only reshaping', () => {
    fc.assert(
      fc.property(caseArb, ([t, axes, keepdims]) => {
        const norm = normalizeAxes(axes, t.rank);
        const s = sum(t, { axes, keepdims });
        expect(s.shape).toEqual(reducedShape(t.shape, norm, keepdims));
        const expected = naiveReduce(t, norm, 0, (a, v) => a + v);
        s.data.forEach((v, i) => expect(near(v, expected[i]!, 1e-12, 1e-10)).toBe(true));
        const count = norm.reduce((p, a) => p * t.shape[a]!, 1);
        const m = mean(t, { axes, keepdims });
        m.data.forEach((v, i) => expect(near(v, s.data[i]! / count)).toBe(true));
      }),
    );
  });

  it('reducing some axes then the rest gives the total', () => {
    fc.assert(
      fc.property(caseArb, ([t, axes]) => {
        const partial = sum(sum(t, { axes }));
        expect(near(partial.item(), sum(t).item(), 1e-12, 1e-9)).toBe(true);
      }),
    );
  });
});

describe('max / min', () => {
  it('reduce like sum does, NaN winning', () => {
    expect(max(x234, { axes: [0, 2] }).toArray()).toEqual([15, 19, 23]);
    expect(min(x234, { axes: -1, keepdims: true }).toArray()).toEqual([[[0], [4], [8]], [[12], [16], [20]]]);
    expect(max(tensor([1, Number.NaN, 3])).item()).toBeNaN();
    expect(max(tensor([Number.NaN, 1, 3])).item()).toBeNaN();
    expect(min(tensor([2, Number.NaN, 1])).item()).toBeNaN();
    expect(max(tensor([-Infinity, -Infinity])).item()).toBe(-Infinity);
  });

  it('refuse an empty axis, naming it', () => {
    expect(() => max(tensor([], { shape: [2, 0] }), { axes: 1 })).toThrow('max: cannot reduce the empty axis 1 of [2,0]');
    expect(max(tensor([], { shape: [2, 0] }), { axes: 0 }).shape).toEqual([0]);
  });

  it('are attained and bound every element', () => {
    fc.assert(
      fc.property(caseArb, ([t, axes, keepdims]) => {
        const norm = normalizeAxes(axes, t.rank);
        const hi = max(t, { axes, keepdims }), lo = min(t, { axes, keepdims });
        expect(Array.from(hi.data)).toEqual(naiveReduce(t, norm, -Infinity, Math.max));
        expect(Array.from(lo.data)).toEqual(naiveReduce(t, norm, Infinity, Math.min));
      }),
    );
  });
});

describe('sumTo and reductionIndex', () => {
  it('sumTo undoes a broadcast', () => {
    const g = tensor([[1, 2, 3], [4, 5, 6]]);
    expect(sumTo(g, [3]).toArray()).toEqual([5, 7, 9]);
    expect(sumTo(g, [2, 1]).toArray()).toEqual([[6], [15]]);
    expect(sumTo(g, [1, 1]).toArray()).toEqual([[21]]);
    expect(sumTo(g, []).toArray()).toBe(21);
    expect(sumTo(g, [2, 3])).toBe(g);
  });

  it('sumTo rejects shapes that were not broadcast to g', () => {
    expect(() => sumTo(tensor([1, 2]), [2, 2])).toThrow('sumTo: cannot sum [2] to the larger rank [2,2]');
    expect(() => sumTo(tensor([[1, 2]]), [3])).toThrow('sumTo: [1,2] is not a broadcast of [3]');
  });

  it('reductionIndex maps each input element to its output slot', () => {
    expect(Array.from(reductionIndex([2, 3], [1]))).toEqual([0, 0, 0, 1, 1, 1]);
    expect(Array.from(reductionIndex([2, 3], [0]))).toEqual([0, 1, 2, 0, 1, 2]);
    expect(Array.from(reductionIndex([2, 2, 2], [0, 2]))).toEqual([0, 0, 1, 1, 0, 0, 1, 1]);
  });
});
