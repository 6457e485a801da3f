/**
 * Element types. rxgrad computes in float64 by default, as PyTorch's gradcheck and any serious
 * numerical test do; float32 storage is available for memory-bound work.
 */
export type DType = 'float64' | 'float32';

/** The storage behind a tensor: always contiguous, row-major. */
export type TypedArray = Float64Array | Float32Array;

/** Allocates zeroed storage of the given dtype. */
export function allocate(dtype: DType, size: number): TypedArray {
  return dtype === 'float64' ? new Float64Array(size) : new Float32Array(size);
}

/** The dtype of a result computed from inputs of these dtypes: float64 wins, as in NumPy. */
export function promote(a: DType, b: DType): DType {
  return a === 'float64' || b === 'float64' ? 'float64' : 'float32';
}

/** The dtype that describes a typed array. */
export function dtypeOf(data: TypedArray): DType {
  return data instanceof Float64Array ? 'float64' : 'float32';
}

export function isDType(value: unknown): value is DType {
  return value === 'float64' || value === 'float32';
}
