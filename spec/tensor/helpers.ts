/** Arbitraries and naive references shared by the numeric-core specs (plain loops, obviously right). */
import fc from 'fast-check';
import { type Shape, Tensor, sizeOf, stridesOf } from '../../src/tensor/index.js';

/** Shapes of rank 0…maxRank with dimensions 0…maxDim. */
export const shapeArb = (maxRank = 4, maxDim = 4, minDim = 0): fc.Arbitrary<number[]> =>
  fc.array(fc.integer({ min: minDim, max: maxDim }), { maxLength: maxRank });

/** Finite, bounded values (fc.double's defaults include NaN, ±inf and 1e308). */
export const valueArb = fc.double({ min: -100, max: 100, noNaN: true, noDefaultInfinity: true });

/** A float64 tensor of the given shape with bounded values. */
export const tensorOf = (shape: Shape): fc.Arbitrary<Tensor> =>
  fc.array(valueArb, { minLength: sizeOf(shape), maxLength: sizeOf(shape) }).map((v) => new Tensor(Float64Array.from(v), shape));

/** A tensor of an arbitrary shape. */
export const tensorArb = (maxRank = 4, maxDim = 4): fc.Arbitrary<Tensor> => shapeArb(maxRank, maxDim).chain(tensorOf);

/** Two shapes that broadcast: each dimension of each side is the common one, or 1, or missing. */
export const broadcastPairArb: fc.Arbitrary<[number[], number[]]> = fc
  .array(fc.tuple(fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 2 })), { maxLength: 4 })
  .chain((dims) =>
    fc.tuple(fc.integer({ min: 0, max: dims.length }), fc.integer({ min: 0, max: dims.length })).map(([dropA, dropB]) => {
      const pick = (mode: number, d: number): number => (mode === 0 ? 1 : d);
      const a = dims.map(([d, ma]) => pick(ma, d)).slice(dropA);
      const b = dims.map(([d, , mb]) => pick(mb, d)).slice(dropB);
      return [a, b] as [number[], number[]];
    }),
  );

/** The multi-index of a flat row-major position. */
export function unravel(shape: Shape, flat: number): number[] {
  const idx: number[] = new Array(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    idx[d] = flat % shape[d]!;
    flat = Math.floor(flat / shape[d]!);
  }
  return idx;
}

/** The flat position of a multi-index. */
export function ravel(shape: Shape, idx: readonly number[]): number {
  const s = stridesOf(shape);
  return idx.reduce((acc, i, d) => acc + i * s[d]!, 0);
}

/** Reads x at an output index of a broadcast to `out` (NumPy rules, by hand). */
export function readBroadcast(x: Tensor, out: Shape, idx: readonly number[]): number {
  const lead = out.length - x.rank;
  const own = x.shape.map((n, d) => (n === 1 ? 0 : idx[lead + d]!));
  return x.data[ravel(x.shape, own)]!;
}

/** C[m×n] = A[m×k]·B[k×n] on flat row-major arrays (the textbook triple loop). */
export function naiveMatmul(a: ArrayLike<number>, b: ArrayLike<number>, m: number, k: number, n: number): number[] {
  const out = new Array<number>(m * n).fill(0);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
    let acc = 0;
    for (let p = 0; p < k; p++) acc += a[i * k + p]! * b[p * n + j]!;
    out[i * n + j] = acc;
  }
  return out;
}

/** Relative closeness for float sums whose order may differ. */
export function near(a: number, b: number, rtol = 1e-12, atol = 1e-12): boolean {
  return Math.abs(a - b) <= atol + rtol * Math.abs(b);
}
