import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { arange, kernels, sizeOf, tensor } from '../../src/tensor/index.js';
import { ravel, shapeArb, tensorOf, unravel } from './helpers.js';

const { reshape, resolveReshape, permute, inversePerm, normalizePerm, transpose, slice, resolveSlice, copyBlock, concat, gather } = kernels;
const x234 = tensor(Array.from({ length: 24 }, (_, i) => i), { shape: [2, 3, 4] });

/** A tensor with a random permutation of its axes. */
const permCaseArb = shapeArb(5, 3).chain((s) =>
  fc.tuple(tensorOf(s), fc.shuffledSubarray([...s.keys()], { minLength: s.length, maxLength: s.length })),
);

describe('reshape', () => {
  it('infers one -1 and shares storage', () => {
    const r = reshape(x234, [4, -1]);
    expect(r.shape).toEqual([4, 6]);
    expect(r.data).toBe(x234.data);
    expect(reshape(x234, [-1]).shape).toEqual([24]);
    expect(reshape(tensor([5]), []).shape).toEqual([]);
    expect(reshape(tensor([], { shape: [0, 3] }), [3, 0]).shape).toEqual([3, 0]);
  });

  it('rejects sizes that do not match, two -1s and invalid dims', () => {
    expect(() => reshape(x234, [5, -1])).toThrow('reshape: cannot reshape [2,3,4] (24 elements) to [5,-1]');
    expect(() => reshape(x234, [-1, -1])).toThrow(/only one dimension may be -1/);
    expect(() => reshape(x234, [25])).toThrow(/\(24 elements\) to \[25\]/);
    expect(() => resolveReshape([0, 3], [-1, 0])).toThrow(/cannot reshape/);
    expect(() => reshape(x234, [-2, -12])).toThrow(RangeError);
  });
});

describe('permute / transpose', () => {
  it('moves axes: output axis i is input axis perm[i]', () => {
    const p = permute(x234, [2, 0, 1]);
    expect(p.shape).toEqual([4, 2, 3]);
    for (let i = 0; i < 24; i++) {
      const [a, b, c] = unravel([2, 3, 4], i) as [number, number, number];
      expect(p.get(c, a, b)).toBe(x234.data[i]);
    }
    expect(permute(x234, [0, 1, 2])).toBe(x234);
    expect(permute(x234, [-1, 0, 1]).shape).toEqual([4, 2, 3]);
  });

  it('transpose swaps the last two axes by default, or any two; below rank 2 it is the identity', () => {
    expect(transpose(tensor([[1, 2, 3], [4, 5, 6]])).toArray()).toEqual([[1, 4], [2, 5], [3, 6]]);
    expect(transpose(x234).shape).toEqual([2, 4, 3]);
    expect(transpose(x234, 0, 2).shape).toEqual([4, 3, 2]);
    const v = tensor([1, 2]);
    expect(transpose(v)).toBe(v);
  });

  it('rejects non-permutations', () => {
    expect(() => permute(x234, [0, 1])).toThrow('permute: permutation [0,1] has 2 axes, tensor has 3');
    expect(() => permute(x234, [0, 0, 1])).toThrow('permute: [0,0,1] is not a permutation');
    expect(() => normalizePerm([0, 3, 1], 3)).toThrow(/axis 3 is out of range/);
  });

  it('permute then the inverse permutation is the identity', () => {
    fc.assert(
      fc.property(permCaseArb, ([t, perm]) => {
        const inv = inversePerm(perm);
        expect(perm.map((p) => inv[p])).toEqual([...perm.keys()]);
        const back = permute(permute(t, perm), inv);
        expect(back.shape).toEqual(t.shape);
        expect(Array.from(back.data)).toEqual(Array.from(t.data));
      }),
    );
  });

  it('permute agrees with index arithmetic', () => {
    fc.assert(
      fc.property(permCaseArb, ([t, perm]) => {
        const p = permute(t, perm);
        for (let o = 0; o < p.size; o++) {
          const idx = unravel(p.shape, o);
          const src = new Array<number>(t.rank);
          perm.forEach((d, i) => (src[d] = idx[i]!));
          expect(p.data[o]).toBe(t.data[ravel(t.shape, src)]);
        }
      }),
    );
  });
});

describe('slice', () => {
  const m = tensor([[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12]]);

  it('copies a block; missing bounds mean whole axes', () => {
    expect(slice(m, { start: [1, 1], end: [3, 3] }).toArray()).toEqual([[6, 7], [10, 11]]);
    expect(slice(m, { start: [2] }).toArray()).toEqual([[9, 10, 11, 12]]);
    expect(slice(m, { end: [1, 2] }).toArray()).toEqual([[1, 2]]);
    expect(slice(m, {}).toArray()).toEqual(m.toArray());
    expect(slice(m, {}).data).not.toBe(m.data);
  });

  it('counts negative bounds from the end and clamps like Python', () => {
    expect(slice(m, { start: [-1, -2] }).toArray()).toEqual([[11, 12]]);
    expect(slice(m, { start: [0, 1], end: [-2, -1] }).toArray()).toEqual([[2, 3]]);
    expect(slice(m, { start: [-100, 3], end: [100, 100] }).toArray()).toEqual([[4], [8], [12]]);
    expect(slice(m, { start: [2], end: [1] }).shape).toEqual([0, 4]);
    expect(slice(m, { start: [5] }).shape).toEqual([0, 4]);
    expect(resolveSlice([4], { start: [-6], end: [-5] })).toEqual({ begin: [0], size: [0] });
  });

  it('rejects fractional bounds and too many axes', () => {
    expect(() => slice(m, { start: [0.5] })).toThrow('slice: bound 0.5 on axis 0 is not an integer');
    expect(() => slice(m, { start: [0, 0, 0] })).toThrow('slice: 3 bounds for a tensor of shape [3,4]');
  });

  it('slices scalars and 1-D tensors', () => {
    expect(slice(tensor(3), {}).toArray()).toBe(3);
    expect(slice(arange(5), { start: [1], end: [-1] }).toArray()).toEqual([1, 2, 3]);
  });

  it('copyBlock adds a block back into place (slice’s backward)', () => {
    const full = new Float64Array(12).fill(1);
    copyBlock(full, [3, 4], [1, 2], new Float64Array([10, 20, 30, 40]), [2, 2], 'add');
    expect(Array.from(full)).toEqual([1, 1, 1, 1, 1, 1, 11, 21, 1, 1, 31, 41]);
  });
});

describe('concat', () => {
  it('joins along any axis, negative axes included', () => {
    expect(concat([tensor([1, 2]), tensor([3])]).toArray()).toEqual([1, 2, 3]);
    const a = tensor([[1, 2]]), b = tensor([[3, 4], [5, 6]]);
    expect(concat([a, b]).toArray()).toEqual([[1, 2], [3, 4], [5, 6]]);
    expect(concat([tensor([[1], [2]]), tensor([[3, 4], [5, 6]])], -1).toArray()).toEqual([[1, 3, 4], [2, 5, 6]]);
    expect(concat([x234, x234], 1).shape).toEqual([2, 6, 4]);
    expect(concat([tensor([]), tensor([1])]).toArray()).toEqual([1]);
  });

  it('promotes to float64 if any part is', () => {
    expect(concat([tensor([1], { dtype: 'float32' }), tensor([2], { dtype: 'float32' })]).dtype).toBe('float32');
    expect(concat([tensor([1], { dtype: 'float32' }), tensor([2])]).dtype).toBe('float64');
  });

  it('names the shapes when they differ outside the axis; rejects scalars and empty lists', () => {
    expect(() => concat([tensor([[1, 2]]), tensor([[1, 2, 3]])])).toThrow('concat: shapes [1,2], [1,3] differ outside axis 0');
    expect(() => concat([tensor([1]), tensor([[1]])])).toThrow(/differ outside axis 0/);
    expect(() => concat([tensor(1), tensor(2)])).toThrow(/cannot concatenate scalars/);
    expect(() => concat([])).toThrow(/at least one tensor/);
    expect(() => concat([x234], 3)).toThrow(/axis 3 is out of range/);
  });

  it('slicing a concatenation gives back its parts', () => {
    const partsArb = fc
      .tuple(shapeArb(3, 3, 0).filter((s) => s.length > 0), fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 4 }), fc.nat())
      .chain(([s, widths, ax]) => {
        const axis = ax % s.length;
        return fc.tuple(fc.constant(axis), fc.tuple(...widths.map((w) => tensorOf(s.map((d, i) => (i === axis ? w : d))))));
      });
    fc.assert(
      fc.property(partsArb, ([axis, parts]) => {
        const joined = concat(parts, axis);
        let offset = 0;
        for (const p of parts) {
          const w = p.shape[axis]!;
          const start = p.shape.map((_, i) => (i === axis ? offset : 0));
          const end = joined.shape.map((d, i) => (i === axis ? offset + w : d));
          expect(Array.from(slice(joined, { start, end }).data)).toEqual(Array.from(p.data));
          offset += w;
        }
        expect(joined.shape[axis]).toBe(offset);
        expect(joined.size).toBe(parts.reduce((n, p) => n + sizeOf(p.shape), 0));
      }),
    );
  });
});

describe('gather', () => {
  it('picks one element per position along the last axis or any other', () => {
    const x = tensor([[0.1, 0.2, 0.7], [0.5, 0.4, 0.1]]);
    expect(gather(x, tensor([2, 0])).toArray()).toEqual([0.7, 0.5]);
    expect(gather(x, tensor([1, 0, 1]), 0).toArray()).toEqual([0.5, 0.2, 0.1]);
    expect(gather(x234, tensor([[0, 3, 1], [2, 2, 2]])).toArray()).toEqual([[0, 7, 9], [14, 18, 22]]);
  });

  it('names the position of a bad label, and mismatched label shapes', () => {
    const x = tensor([[1, 2, 3], [4, 5, 6]]);
    expect(() => gather(x, tensor([0, 3]))).toThrow('gather: label 3 at position 1 is not an integer in [0, 3)');
    expect(() => gather(x, tensor([-1, 0]))).toThrow(/label -1 at position 0/);
    expect(() => gather(x, tensor([0, 1.5]))).toThrow(/label 1.5 at position 1/);
    expect(() => gather(x, tensor([Number.NaN, 0]))).toThrow(/label NaN at position 0/);
    expect(() => gather(x, tensor([0, 1, 2]))).toThrow('gather: labels of shape [3] do not match [2,3] without axis 1');
  });
});
