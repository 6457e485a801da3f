import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Tensor, arange, empty, eye, full, isTensor, ones, onesLike, scalar, tensor, zeros, zerosLike } from '../../src/tensor/index.js';
import { tensorArb } from './helpers.js';

describe('tensor()', () => {
  it('infers the shape of nested arrays and stores float64 by default', () => {
    const t = tensor([[1, 2, 3], [4, 5, 6]]);
    expect(t.shape).toEqual([2, 3]);
    expect(t.dtype).toBe('float64');
    expect(t.size).toBe(6);
    expect(t.rank).toBe(2);
    expect(Array.from(t.data)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(t.toArray()).toEqual([[1, 2, 3], [4, 5, 6]]);
  });

  it('copies a typed array, keeping its dtype unless told otherwise', () => {
    const src = new Float32Array([1, 2, 3]);
    const t = tensor(src);
    expect(t.dtype).toBe('float32');
    expect(t.shape).toEqual([3]);
    src[0] = 99;
    expect(t.data[0]).toBe(1);
    expect(tensor(src, { dtype: 'float64' }).dtype).toBe('float64');
    expect(tensor(new Float64Array([1, 2, 3, 4]), { shape: [2, 2] }).toArray()).toEqual([[1, 2], [3, 4]]);
  });

  it('rounds into float32 storage when asked', () => {
    const t = tensor([0.1], { dtype: 'float32' });
    expect(t.data).toBeInstanceOf(Float32Array);
    expect(t.data[0]).toBe(Math.fround(0.1));
  });

  it('reshapes flat data and builds scalars', () => {
    expect(tensor([1, 2, 3, 4, 5, 6], { shape: [3, 2] }).toArray()).toEqual([[1, 2], [3, 4], [5, 6]]);
    const s = tensor(7);
    expect(s.shape).toEqual([]);
    expect(s.item()).toBe(7);
    expect(s.toArray()).toBe(7);
    expect(tensor(7, { shape: [1, 1] }).toArray()).toEqual([[7]]);
    expect(scalar(2, { dtype: 'float32' }).dtype).toBe('float32');
  });

  it('accepts empty arrays', () => {
    expect(tensor([]).shape).toEqual([0]);
    expect(tensor([[], []]).shape).toEqual([2, 0]);
    expect(tensor([], { shape: [0, 3] }).shape).toEqual([0, 3]);
  });

  it('vectors of one length share one shape array; a shape the caller passes is copied', () => {
    // Shared: a tensor made per sample allocates no shape, and the engine's per-tick shape check
    // stops at the identity test. Shapes are never mutated, so sharing is safe.
    expect(tensor([1, 2, 3]).shape).toBe(tensor(new Float64Array(3)).shape);
    expect(tensor(new Float32Array([1, 2, 3])).shape).toBe(tensor([4, 5, 6]).shape);
    expect(tensor([1, 2, 3]).shape).toEqual([3]);
    const mine = [3];
    const t = tensor([1, 2, 3], { shape: mine });
    expect(t.shape).not.toBe(mine);
    mine[0] = 99;
    expect(t.shape).toEqual([3]);
  });

  it('rejects ragged arrays, wrong sizes and invalid shapes with the shapes in the message', () => {
    expect(() => tensor([[1, 2], [3]])).toThrow(/ragged/);
    expect(() => tensor([1, 2, 3], { shape: [2, 2] })).toThrow(/3 values cannot fill shape \[2,2\]/);
    expect(() => tensor([[1, 2], [3, 4]], { shape: [3] })).toThrow(/\[2,2\] cannot take shape \[3\]/);
    expect(() => tensor(1, { shape: [2] })).toThrow(/scalar cannot fill shape \[2\]/);
    expect(() => zeros([2, -1])).toThrow(RangeError);
    expect(() => zeros([1.5])).toThrow(/invalid dimension 1.5/);
    expect(() => tensor(['a' as unknown as number])).toThrow(TypeError);
  });

  it('round-trips through toArray for any shape', () => {
    fc.assert(
      fc.property(tensorArb(), (t) => {
        const back = tensor(t.toArray() as number[], t.rank <= 1 ? {} : { shape: t.shape });
        expect(back.shape).toEqual(t.shape);
        expect(Array.from(back.data)).toEqual(Array.from(t.data));
      }),
    );
  });
});

describe('constructors', () => {
  it('full, zeros, ones and their *Like forms keep shape and dtype', () => {
    expect(full([2], 3).toArray()).toEqual([3, 3]);
    expect(zeros([2, 2]).toArray()).toEqual([[0, 0], [0, 0]]);
    expect(ones([3], { dtype: 'float32' }).dtype).toBe('float32');
    const like = tensor([[1, 2]], { dtype: 'float32' });
    expect(zerosLike(like).shape).toEqual([1, 2]);
    expect(zerosLike(like).dtype).toBe('float32');
    expect(onesLike(like).toArray()).toEqual([[1, 1]]);
    expect(empty([2, 3]).size).toBe(6);
  });

  it('arange follows torch.arange', () => {
    expect(arange(5).toArray()).toEqual([0, 1, 2, 3, 4]);
    expect(arange(1, 4).toArray()).toEqual([1, 2, 3]);
    expect(arange(0, 1, 0.25).toArray()).toEqual([0, 0.25, 0.5, 0.75]);
    expect(arange(3, 0, -1).toArray()).toEqual([3, 2, 1]);
    expect(arange(3, 1).shape).toEqual([0]);
    expect(() => arange(0, 1, 0)).toThrow(/step/);
  });

  it('eye is the identity', () => {
    expect(eye(3).toArray()).toEqual([[1, 0, 0], [0, 1, 0], [0, 0, 1]]);
    expect(eye(0).shape).toEqual([0, 0]);
  });
});

describe('Tensor', () => {
  it('checks storage against the shape', () => {
    expect(() => new Tensor(new Float64Array(3), [2, 2])).toThrow(/shape \[2,2\] needs 4 elements, storage holds 3/);
  });

  it('factories copy the caller’s shape array; the constructor adopts it (documented contract)', () => {
    const shape = [2, 1];
    const viaFactory = tensor([1, 2], { shape });
    const filled = zeros(shape);
    shape[0] = 5;
    expect(viaFactory.shape).toEqual([2, 1]);
    expect(filled.shape).toEqual([2, 1]);
    const adopted = [2, 1];
    expect(new Tensor(new Float64Array(2), adopted).shape).toBe(adopted);
  });

  it('get() reads multi-indices, negative ones from the end', () => {
    const t = tensor([[1, 2, 3], [4, 5, 6]]);
    expect(t.get(1, 2)).toBe(6);
    expect(t.get(-1, -3)).toBe(4);
    expect(() => t.get(2, 0)).toThrow(/index 2 out of range for dimension 0 of \[2,3\]/);
    expect(() => t.get(0)).toThrow(/1 indices for a tensor of rank 2/);
  });

  it('item() needs exactly one element', () => {
    expect(tensor([[4]]).item()).toBe(4);
    expect(() => tensor([1, 2]).item()).toThrow(/\[2\] has 2 elements/);
  });

  it('clone() copies storage; astype() converts only when needed', () => {
    const t = tensor([1.5, 2.5]);
    const c = t.clone();
    expect(c.data).not.toBe(t.data);
    expect(c.toArray()).toEqual([1.5, 2.5]);
    expect(t.astype('float64')).toBe(t);
    const f = t.astype('float32');
    expect(f.dtype).toBe('float32');
    expect(f.toArray()).toEqual([1.5, 2.5]);
  });

  it('toString() names shape and dtype and truncates long bodies', () => {
    expect(tensor([1, 2]).toString()).toBe('Tensor([2], float64) [1,2]');
    const long = arange(1000).toString();
    expect(long.length).toBeLessThan(260);
    expect(long.endsWith('…')).toBe(true);
  });

  it('isTensor() tells tensors from look-alikes', () => {
    expect(isTensor(tensor(1))).toBe(true);
    expect(isTensor({ shape: [], data: new Float64Array(1) })).toBe(false);
  });
});
