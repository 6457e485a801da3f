import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Tensor, broadcastShapes, kernels, sizeOf, tensor } from '../../src/tensor/index.js';
import { broadcastPairArb, readBroadcast, tensorOf, unravel } from './helpers.js';

const { add, sub, mul, div, binary, unary, broadcastTo, broadcastStrides, scale, neg } = kernels;

/** The broadcast result computed element by element from the NumPy rule. */
function reference(a: Tensor, b: Tensor, f: (x: number, y: number) => number): number[] {
  const shape = broadcastShapes(a.shape, b.shape)!;
  return Array.from({ length: sizeOf(shape) }, (_, o) => {
    const idx = unravel(shape, o);
    return f(readBroadcast(a, shape, idx), readBroadcast(b, shape, idx));
  });
}

const pairArb = broadcastPairArb.chain(([sa, sb]) => fc.tuple(tensorOf(sa), tensorOf(sb)));

describe('binary kernels', () => {
  it('compute the four operations on equal shapes', () => {
    const a = tensor([[1, 2], [3, 4]]), b = tensor([[10, 20], [30, 40]]);
    expect(add(a, b).toArray()).toEqual([[11, 22], [33, 44]]);
    expect(sub(a, b).toArray()).toEqual([[-9, -18], [-27, -36]]);
    expect(mul(a, b).toArray()).toEqual([[10, 40], [90, 160]]);
    expect(div(a, b).toArray()).toEqual([[0.1, 0.1], [0.1, 0.1]]);
  });

  it('broadcast scalars, rows (the bias case), columns and both sides at once', () => {
    const a = tensor([[1, 2, 3], [4, 5, 6]]);
    expect(add(a, tensor(10)).toArray()).toEqual([[11, 12, 13], [14, 15, 16]]);
    expect(sub(tensor(10), a).toArray()).toEqual([[9, 8, 7], [6, 5, 4]]);
    expect(add(a, tensor([100, 200, 300])).toArray()).toEqual([[101, 202, 303], [104, 205, 306]]);
    expect(mul(a, tensor([[2], [3]])).toArray()).toEqual([[2, 4, 6], [12, 15, 18]]);
    expect(add(tensor([[1], [2]]), tensor([[10, 20, 30]])).toArray()).toEqual([[11, 21, 31], [12, 22, 32]]);
    expect(div(tensor([1, 2]), tensor([[1], [2]])).toArray()).toEqual([[1, 2], [0.5, 1]]);
  });

  it('the trailing fast path of add agrees with the general broadcast loop', () => {
    // [2,3,4] + [3,4] and [2,3,4] + [4] take add's trailing loop; binary() takes broadcastLoop.
    const a = tensor(Array.from({ length: 24 }, (_, i) => i * 0.5), { shape: [2, 3, 4] });
    for (const b of [tensor(Array.from({ length: 12 }, (_, i) => i * i), { shape: [3, 4] }), tensor([1, -2, 3, -4])]) {
      const fast = add(a, b), general = binary('add', a, b, (x, y) => x + y);
      expect(fast.shape).toEqual([2, 3, 4]);
      expect(Array.from(fast.data)).toEqual(Array.from(general.data));
      expect(Array.from(fast.data)).toEqual(reference(a, b, (x, y) => x + y));
    }
  });

  it('match the element-by-element NumPy rule on random broadcast pairs', () => {
    const ops: [(a: Tensor, b: Tensor) => Tensor, (x: number, y: number) => number][] = [
      [add, (x, y) => x + y], [sub, (x, y) => x - y], [mul, (x, y) => x * y], [div, (x, y) => x / y],
    ];
    fc.assert(
      fc.property(pairArb, ([a, b]) => {
        for (const [kernel, f] of ops) {
          const out = kernel(a, b);
          expect(out.shape).toEqual(broadcastShapes(a.shape, b.shape));
          expect(Array.from(out.data)).toEqual(reference(a, b, f));
        }
      }),
    );
  });

  it('never write into their inputs', () => {
    fc.assert(
      fc.property(pairArb, ([a, b]) => {
        const before = [Array.from(a.data), Array.from(b.data)];
        add(a, b), sub(a, b), mul(a, b), div(a, b);
        expect([Array.from(a.data), Array.from(b.data)]).toEqual(before);
      }),
    );
  });

  it('promote dtypes: float64 wins', () => {
    const f32 = tensor([1, 2], { dtype: 'float32' }), f64 = tensor([1, 2]);
    expect(add(f32, f32).dtype).toBe('float32');
    expect(add(f32, f64).dtype).toBe('float64');
    expect(mul(f64, f32).dtype).toBe('float64');
    expect(add(f32, tensor([1, 2, 3, 4], { shape: [2, 2] })).dtype).toBe('float64');
    expect(binary('f', f32, f64, Math.max).dtype).toBe('float64');
  });

  it('name the op and both shapes when shapes do not broadcast', () => {
    expect(() => add(tensor([1, 2]), tensor([1, 2, 3]))).toThrow('add: shapes [2] and [3] cannot be broadcast together');
    expect(() => binary('hypot', tensor([[1, 2, 3]]), tensor([[1, 2]]), Math.hypot)).toThrow('hypot: shapes [1,3] and [1,2]');
  });

  it('follow IEEE arithmetic at the edges', () => {
    expect(Array.from(div(tensor([1, -1, 0]), tensor(0)).data)).toEqual([Infinity, -Infinity, Number.NaN]);
    expect(Array.from(mul(tensor([Infinity]), tensor([0])).data)).toEqual([Number.NaN]);
  });
});

describe('unary kernels and broadcasting helpers', () => {
  it('unary applies f elementwise, optionally into another dtype', () => {
    const x = tensor([1, 4, 9]);
    expect(unary(x, Math.sqrt).toArray()).toEqual([1, 2, 3]);
    expect(unary(x, Math.sqrt, 'float32').dtype).toBe('float32');
    expect(scale(x, 2).toArray()).toEqual([2, 8, 18]);
    expect(neg(x).toArray()).toEqual([-1, -4, -9]);
    expect(neg(tensor([1], { dtype: 'float32' })).dtype).toBe('float32');
  });

  it('broadcastStrides gives 0 on repeated dims', () => {
    expect(broadcastStrides([3, 1], [2, 3, 4])).toEqual([0, 1, 0]);
    expect(broadcastStrides([4], [2, 4])).toEqual([0, 1]);
    expect(broadcastStrides([2, 4], [2, 4])).toEqual([4, 1]);
  });

  it('broadcastTo materialises a broadcast and refuses to shrink', () => {
    expect(broadcastTo(tensor([1, 2]), [2, 2]).toArray()).toEqual([[1, 2], [1, 2]]);
    expect(broadcastTo(tensor([[1], [2]]), [2, 3]).toArray()).toEqual([[1, 1, 1], [2, 2, 2]]);
    const same = tensor([1, 2]);
    expect(broadcastTo(same, [2])).toBe(same);
    expect(() => broadcastTo(tensor([1, 2, 3]), [2])).toThrow(RangeError);
    expect(() => broadcastTo(tensor([[1, 2]]), [2])).toThrow(/cannot be broadcast to \[2\]/);
  });
});
