import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Tensor, broadcastShapes, kernels, sizeOf, tensor } from '../../src/tensor/index.js';
import { naiveMatmul, near, readBroadcast, tensorOf, unravel } from './helpers.js';

const { matmul, permute, transpose, gemm } = kernels;

/** torch.matmul by hand: promote vectors, broadcast batches, triple loop per batch, squeeze. */
function reference(a: Tensor, b: Tensor): { shape: number[]; data: number[] } {
  const as = a.rank === 1 ? [1, a.shape[0]!] : a.shape.slice();
  const bs = b.rank === 1 ? [b.shape[0]!, 1] : b.shape.slice();
  const m = as[as.length - 2]!, k = as[as.length - 1]!, n = bs[bs.length - 1]!;
  const batch = broadcastShapes(as.slice(0, -2), bs.slice(0, -2))!;
  const A = new Tensor(a.data, as), B = new Tensor(b.data, bs);
  const data: number[] = [];
  for (let t = 0; t < sizeOf(batch); t++) {
    const bi = unravel(batch, t);
    const am = new Array<number>(m * k), bm = new Array<number>(k * n);
    for (let i = 0; i < m * k; i++) am[i] = readBroadcast(A, [...batch, m, k], [...bi, Math.floor(i / k), i % k]);
    for (let i = 0; i < k * n; i++) bm[i] = readBroadcast(B, [...batch, k, n], [...bi, Math.floor(i / n), i % n]);
    data.push(...naiveMatmul(am, bm, m, k, n));
  }
  const shape = [...batch, ...(a.rank === 1 ? [] : [m]), ...(b.rank === 1 ? [] : [n])];
  return { shape, data };
}

function expectMatches(out: Tensor, ref: { shape: number[]; data: number[] }): void {
  expect(out.shape).toEqual(ref.shape);
  out.data.forEach((v, i) => expect(near(v, ref.data[i]!, 1e-12, 1e-9)).toBe(true));
}

/** Operand shapes torch.matmul accepts: 1-D or N-D with broadcastable batch dims. */
const operandsArb = fc
  .record({
    m: fc.integer({ min: 0, max: 4 }), k: fc.integer({ min: 0, max: 4 }), n: fc.integer({ min: 0, max: 4 }),
    aVec: fc.boolean(), bVec: fc.boolean(),
    batch: fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 2 }),
    aMask: fc.array(fc.boolean(), { minLength: 2, maxLength: 2 }), bMask: fc.array(fc.boolean(), { minLength: 2, maxLength: 2 }),
    aDrop: fc.integer({ min: 0, max: 2 }), bDrop: fc.integer({ min: 0, max: 2 }),
  })
  .chain(({ m, k, n, aVec, bVec, batch, aMask, bMask, aDrop, bDrop }) => {
    const aBatch = batch.map((d, i) => (aMask[i] ? d : 1)).slice(aDrop);
    const bBatch = batch.map((d, i) => (bMask[i] ? d : 1)).slice(bDrop);
    const aShape = aVec ? [k] : [...aBatch, m, k];
    const bShape = bVec ? [k] : [...bBatch, k, n];
    return fc.tuple(tensorOf(aShape), tensorOf(bShape));
  });

describe('matmul', () => {
  it('multiplies 2-D matrices', () => {
    expect(matmul(tensor([[1, 2], [3, 4]]), tensor([[5, 6], [7, 8]])).toArray()).toEqual([[19, 22], [43, 50]]);
    expect(matmul(tensor([[1, 2, 3]]), tensor([[1], [1], [1]])).toArray()).toEqual([[6]]);
  });

  it('promotes 1-D operands and squeezes them back, as torch.matmul', () => {
    const v = tensor([1, 2]), M = tensor([[1, 2], [3, 4]]);
    expect(matmul(v, v).shape).toEqual([]);
    expect(matmul(v, v).item()).toBe(5);
    expect(matmul(v, M).toArray()).toEqual([7, 10]);
    expect(matmul(M, v).toArray()).toEqual([5, 11]);
    expect(matmul(tensor([[[1, 0], [0, 1]], [[2, 0], [0, 2]]]), v).toArray()).toEqual([[1, 2], [2, 4]]);
  });

  it('broadcasts batch dimensions', () => {
    const a = tensor(Array.from({ length: 2 * 3 * 4 }, (_, i) => i % 5), { shape: [2, 1, 3, 4] });
    const b = tensor(Array.from({ length: 5 * 4 * 2 }, (_, i) => (i % 3) - 1), { shape: [5, 4, 2] });
    const out = matmul(a, b);
    expect(out.shape).toEqual([2, 5, 3, 2]);
    expectMatches(out, reference(a, b));
  });

  it('handles zero-sized dimensions (k = 0 gives zeros)', () => {
    expect(matmul(tensor([], { shape: [2, 0] }), tensor([], { shape: [0, 3] })).toArray()).toEqual([[0, 0, 0], [0, 0, 0]]);
    expect(matmul(tensor([], { shape: [0, 2] }), tensor([[1], [2]])).shape).toEqual([0, 1]);
  });

  it('reads transposed operands without copying them, matching an explicit transpose', () => {
    const a = tensor([[1, 2, 3], [4, 5, 6]]), b = tensor([[1, 0], [2, 1], [0, 3]]);
    const at = transpose(a), bt = transpose(b);
    expect(matmul(at, bt, { transposeA: true, transposeB: true }).toArray()).toEqual(matmul(a, b).toArray());
    expect(matmul(at, b, { transposeA: true }).toArray()).toEqual(matmul(a, b).toArray());
    expect(matmul(a, bt, { transposeB: true }).toArray()).toEqual(matmul(a, b).toArray());
  });

  it('names both shapes when inner dimensions differ, and rejects scalars and unbroadcastable batches', () => {
    expect(() => matmul(tensor([[1, 2, 3]]), tensor([[1, 2]]))).toThrow('matmul: inner dimensions differ: [1,3] · [1,2] (3 ≠ 1)');
    expect(() => matmul(tensor(1), tensor([1]))).toThrow(/at least 1 dimension/);
    expect(() => matmul(tensor([1, 2, 3, 4, 5, 6], { shape: [2, 1, 3] }), tensor([1, 2, 3, 4, 5, 6, 7, 8, 9], { shape: [3, 3, 1] }))).toThrow(/batch dimensions of \[2,1,3\] and \[3,3,1\] cannot be broadcast/);
  });

  it('promotes dtypes', () => {
    const f32 = tensor([[1, 2]], { dtype: 'float32' });
    expect(matmul(f32, tensor([[1], [2]], { dtype: 'float32' })).dtype).toBe('float32');
    expect(matmul(f32, tensor([[1], [2]])).dtype).toBe('float64');
  });

  it('matches the textbook triple loop on random shapes (1-D, N-D, broadcast batches)', () => {
    fc.assert(fc.property(operandsArb, ([a, b]) => expectMatches(matmul(a, b), reference(a, b))));
  });

  it('transposed variants match products of explicitly transposed operands', () => {
    fc.assert(
      fc.property(operandsArb.filter(([a, b]) => a.rank >= 2 && b.rank >= 2), ([a, b]) => {
        const swap = (t: Tensor) => permute(t, [...t.shape.keys()].map((i) => (i === t.rank - 2 ? t.rank - 1 : i === t.rank - 1 ? t.rank - 2 : i)));
        const plain = matmul(a, b);
        for (const [ta, tb] of [[true, false], [false, true], [true, true]] as const) {
          const out = matmul(ta ? swap(a) : a, tb ? swap(b) : b, { transposeA: ta, transposeB: tb });
          expect(out.shape).toEqual(plain.shape);
          out.data.forEach((v, i) => expect(near(v, plain.data[i]!, 1e-12, 1e-9)).toBe(true));
        }
      }),
    );
  });
});

describe('gemm', () => {
  it('overwrites, or accumulates when asked', () => {
    const a = new Float64Array([1, 2]), b = new Float64Array([3, 4]);
    const out = new Float64Array([100]);
    gemm(a, 0, b, 0, out, 0, 1, 2, 1);
    expect(out[0]).toBe(11);
    gemm(a, 0, b, 0, out, 0, 1, 2, 1, true);
    expect(out[0]).toBe(22);
  });
});
