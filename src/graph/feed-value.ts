import { type DType, type NestedArray, Tensor, type TypedArray, isTensor, tensor } from '../index-core.js';
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
  // Anything else (a flat list of numbers such as `[s.y]` among them) as tensor() reads it; a
  // rank-1 result shares the [n] shape, so the engine's shape check stops at the identity test.
  return tensor(v as NestedArray | TypedArray, { dtype });
}
