import fc from 'fast-check';
import { type DType, type Shape, Tensor, allocate, sizeOf } from '../tensor/index.js';

/** Value bounds of generated tensors. */
export interface TensorArbOptions {
  /** Smallest value. Default −9 (as PyTorch's make_tensor). */
  min?: number;
  /** Largest value. Default 9. */
  max?: number;
  /** Storage type. Default float64. */
  dtype?: DType;
  /** Allow NaN. Default false. */
  nan?: boolean;
}

const f32 = new Float32Array(1);
const i32 = new Int32Array(f32.buffer);
/** The float32 next to `v` (a float32) towards +∞ (dir 1) or −∞ (dir −1). */
function nextFloat32(v: number, dir: 1 | -1): number {
  if (v === 0) return dir * 2 ** -149;
  f32[0] = v;
  i32[0] = i32[0]! + (v > 0 === (dir > 0) ? 1 : -1);
  return f32[0]!;
}

/** The float32 nearest to v that stays within [lo, hi] (v itself in range). */
export function float32Within(v: number, lo: number, hi: number): number {
  let r = Math.fround(v);
  if (r < lo) r = nextFloat32(r, 1);
  if (r > hi) r = nextFloat32(r, -1);
  return r;
}

/** Builds a tensor of a dtype from float64 values kept within [lo, hi]. */
export function tensorFrom(values: readonly number[], shape: Shape, dtype: DType, lo: number, hi: number): Tensor {
  const data = allocate(dtype, values.length);
  for (let i = 0; i < values.length; i++) data[i] = dtype === 'float64' ? values[i]! : float32Within(values[i]!, lo, hi);
  return new Tensor(data, shape);
}

/** Resolves a fixed shape or a shape arbitrary into an arbitrary. */
export function asShapeArb(shape: Shape | fc.Arbitrary<readonly number[]>): fc.Arbitrary<readonly number[]> {
  return Array.isArray(shape) ? fc.constant(shape.slice()) : (shape as fc.Arbitrary<readonly number[]>);
}

/**
 * Tensors of a shape (or of shapes from an arbitrary) with values in `[min, max]`: finite by
 * construction — never NaN, ±∞ or 1e308 unless the bounds say so (or `nan: true`). Values come from
 * `fc.double` with explicit bounds, so boundary and small values are favoured and every element
 * shrinks towards 0 (or the bound nearest 0).
 *
 * @example
 * tensorArb([2, 3]);                                   // float64 in [−9, 9]
 * tensorArb(shapeArb({ maxRank: 2 }), { min: 0, max: 1, dtype: 'float32' });
 */
export function tensorArb(shape: Shape | fc.Arbitrary<readonly number[]>, options: TensorArbOptions = {}): fc.Arbitrary<Tensor> {
  const min = options.min ?? -9, max = options.max ?? 9, dtype = options.dtype ?? 'float64';
  if (!(min <= max)) throw new RangeError(`tensorArb: min ${min} must not exceed max ${max}`);
  const value = fc.double({ min, max, noNaN: !options.nan, noDefaultInfinity: true });
  return asShapeArb(shape).chain((s) => {
    const n = sizeOf(s);
    return fc.array(value, { minLength: n, maxLength: n }).map((vs) => tensorFrom(vs, s, dtype, min, max));
  });
}
