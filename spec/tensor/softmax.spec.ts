import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { kernels, tensor } from '../../src/tensor/index.js';
import { near, shapeArb, tensorOf } from './helpers.js';

const { softmax, logSoftmax, forEachLane } = kernels;

describe('forEachLane', () => {
  it('visits every lane along an axis once, with its base and stride', () => {
    const seen: [number, number, number][] = [];
    forEachLane([2, 3, 4], 1, (b, s, n) => seen.push([b, s, n]));
    expect(seen).toEqual([[0, 4, 3], [1, 4, 3], [2, 4, 3], [3, 4, 3], [12, 4, 3], [13, 4, 3], [14, 4, 3], [15, 4, 3]]);
    const last: number[] = [];
    forEachLane([2, 3], -1, (b, s, n) => last.push(b, s, n));
    expect(last).toEqual([0, 1, 3, 3, 1, 3]);
    const scalar: number[] = [];
    forEachLane([], -1, (b, s, n) => scalar.push(b, s, n));
    expect(scalar).toEqual([0, 1, 1]);
    expect(() => forEachLane([2], 1, () => {})).toThrow(/axis 1 is out of range/);
  });
});

describe('softmax / logSoftmax kernels', () => {
  it('compute small cases exactly', () => {
    expect(softmax(tensor([0, 0, 0, 0])).toArray()).toEqual([0.25, 0.25, 0.25, 0.25]);
    const p = softmax(tensor([1, 2, 3])).data;
    const e = [Math.exp(1), Math.exp(2), Math.exp(3)], z = e[0]! + e[1]! + e[2]!;
    p.forEach((v, i) => expect(near(v, e[i]! / z, 1e-15)).toBe(true));
    expect(logSoftmax(tensor([0, 0])).toArray()).toEqual([-Math.LN2, -Math.LN2]);
    expect(softmax(tensor(5)).toArray()).toBe(1);
    expect(logSoftmax(tensor(5)).toArray()).toBe(0);
  });

  it('work along any axis', () => {
    const x = tensor([[1, 2], [3, 5]]);
    const col = softmax(x, 0).toArray() as number[][];
    expect(near(col[0]![0]!, 1 / (1 + Math.exp(2)), 1e-15)).toBe(true);
    expect(near(col[0]![1]!, 1 / (1 + Math.exp(3)), 1e-15)).toBe(true);
    expect(logSoftmax(x, 0).toArray()).toEqual((logSoftmax(kernels.transpose(x)).toArray() as number[][])[0]!.map((_, i) =>
      (logSoftmax(kernels.transpose(x)).toArray() as number[][]).map((r) => r[i]!)));
  });

  it('never overflow: huge logits give exact probabilities and finite log-probabilities', () => {
    expect(softmax(tensor([1000, 1000])).toArray()).toEqual([0.5, 0.5]);
    expect(softmax(tensor([500, -500])).toArray()).toEqual([1, 0]);
    expect(logSoftmax(tensor([500, -500])).toArray()).toEqual([0, -1000]);
    expect(logSoftmax(tensor([-1e308, 1e308])).toArray()).toEqual([-Infinity, 0]);
    // log1p keeps the tiny log-probability of the winner instead of rounding it to 0.
    expect(logSoftmax(tensor([0, -40])).data[0]).toBe(-Math.exp(-40));
  });

  it('give NaN for lanes holding +inf, NaN or only −inf (as PyTorch), and leave other lanes alone', () => {
    const out = softmax(tensor([[Infinity, 0], [-Infinity, -Infinity], [Number.NaN, 1], [0, -Infinity]]));
    const rows = out.toArray() as number[][];
    expect(rows[0]!.every(Number.isNaN)).toBe(true);
    expect(rows[1]!.every(Number.isNaN)).toBe(true);
    expect(rows[2]!.every(Number.isNaN)).toBe(true);
    expect(rows[3]).toEqual([1, 0]);
    expect(logSoftmax(tensor([0, -Infinity])).toArray()).toEqual([0, -Infinity]);
  });

  it('sum to 1, agree with exp(logSoftmax), and are shift-invariant', () => {
    const caseArb = shapeArb(3, 4, 1).filter((s) => s.length > 0).chain((s) => fc.tuple(tensorOf(s), fc.integer({ min: -s.length, max: s.length - 1 }), fc.double({ min: -300, max: 300, noNaN: true })));
    fc.assert(
      fc.property(caseArb, ([x, axis, c]) => {
        const p = softmax(x, axis), lp = logSoftmax(x, axis);
        const sums = kernels.sum(p, { axes: axis });
        for (const s of sums.data) expect(near(s, 1, 1e-14)).toBe(true);
        p.data.forEach((v, i) => expect(near(Math.exp(lp.data[i]!), v, 1e-12, 1e-300)).toBe(true));
        const shifted = softmax(kernels.add(x, tensor(c)), axis);
        shifted.data.forEach((v, i) => expect(near(v, p.data[i]!, 1e-9, 1e-15)).toBe(true));
      }),
    );
  });

  it('keep the dtype and never write into the input', () => {
    const x = tensor([1, 2, 3], { dtype: 'float32' });
    expect(softmax(x).dtype).toBe('float32');
    expect(logSoftmax(x).dtype).toBe('float32');
    expect(Array.from(x.data)).toEqual([1, 2, 3]);
  });
});
