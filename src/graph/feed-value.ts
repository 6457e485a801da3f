import { type DType, type NestedArray, Tensor, type TypedArray, allocate, isTensor, tensor } from '../index-core.js';
import { vectorShape } from '../tensor/shape.js';

/**
 * A fed value as a tensor, for drivers that finish each tick before taking the next sample (learn,
 * through). A typed array of the input's dtype is wrapped, not copied: the engine is done with it
 * when the tick ends, and whatever it hands out (faces, predictions, outputs) is copied. Anything
 * else goes through `tensor()`.
 */
export function asInput(v: unknown, dtype: DType): Tensor {
  // The typed array of the input's dtype first: `instanceof Tensor` on a typed array walks its whole
  // prototype chain before it fails, and rows fed as Float64Array are the common online case.
  if (dtype === 'float64' ? v instanceof Float64Array : v instanceof Float32Array) return new Tensor(v as TypedArray, vectorShape((v as TypedArray).length));
  if (isTensor(v)) return v;
  // A flat list of numbers (`[s.y]`, a row read as an array): copied into storage of the dtype
  // under a shared shape, so the engine's shape check sees last tick's shape array and skips.
  if (Array.isArray(v) && v.length > 0 && v.length < 1024 && typeof v[0] === 'number') {
    const n = v.length, data = allocate(dtype, n);
    for (let i = 0; i < n; i++) {
      const x = v[i];
      if (typeof x !== 'number') return tensor(v as NestedArray, { dtype }); // ragged: tensor() names the problem
      data[i] = x;
    }
    return new Tensor(data, vectorShape(n));
  }
  return tensor(v as NestedArray | TypedArray, { dtype });
}
