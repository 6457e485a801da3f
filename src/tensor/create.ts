import { type DType, type TypedArray, allocate, dtypeOf } from './dtype.js';
import { type Shape, checkShape, formatShape, sizeOf, vectorShape } from './shape.js';
import { type NestedArray, Tensor } from './tensor.js';

export interface DTypeOptions {
  dtype?: DType;
}

export interface FromDataOptions extends DTypeOptions {
  /** Shape for flat data (a typed array or a flat number array); defaults to `[length]`. */
  shape?: Shape;
}

/**
 * Builds a tensor from nested arrays, a typed array, a flat array with `shape`, or a scalar.
 * Nested arrays must be rectangular and hold finite or non-finite numbers only.
 *
 * @example
 * tensor([[1, 2], [3, 4]]);                    // shape [2, 2], float64
 * tensor(new Float32Array([1, 2, 3]));          // shape [3], float32
 * tensor([1, 2, 3, 4], { shape: [2, 2] });      // reshaped flat data
 * tensor(3);                                    // a scalar, shape []
 */
export function tensor(values: NestedArray | TypedArray, options: FromDataOptions = {}): Tensor {
  if (values instanceof Float64Array || values instanceof Float32Array) {
    const dtype = options.dtype ?? dtypeOf(values);
    const data = allocate(dtype, values.length);
    data.set(values);
    if (options.shape === undefined) return new Tensor(data, vectorShape(values.length));
    const shape = options.shape.slice();
    checkShape(shape);
    return new Tensor(data, shape);
  }
  const dtype = options.dtype ?? 'float64';
  if (options.shape === undefined && Array.isArray(values) && values.length > 0 && typeof values[0] === 'number') {
    // A flat list of numbers (the common per-sample case): no shape inference walk.
    const flat = allocate(dtype, values.length);
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (typeof v !== 'number') throw new RangeError(`tensor(): ragged nested array: element ${i} is not a number`);
      flat[i] = v;
    }
    return new Tensor(flat, vectorShape(values.length));
  }
  if (typeof values === 'number') {
    const shape = options.shape ? options.shape.slice() : [];
    checkShape(shape);
    if (sizeOf(shape) !== 1) throw new RangeError(`tensor(): a scalar cannot fill shape ${formatShape(shape)}`);
    const data = allocate(dtype, 1);
    data[0] = values;
    return new Tensor(data, shape);
  }
  const inferred = inferShape(values);
  const flat = allocate(dtype, sizeOf(inferred));
  let k = 0;
  const fill = (v: NestedArray, depth: number): void => {
    if (typeof v === 'number') {
      flat[k++] = v;
      return;
    }
    if (v.length !== inferred[depth]) {
      throw new RangeError(`tensor(): ragged nested array: expected ${inferred[depth]} elements at depth ${depth}, got ${v.length}`);
    }
    for (const item of v) fill(item, depth + 1);
  };
  fill(values, 0);
  if (options.shape !== undefined) {
    checkShape(options.shape);
    if (inferred.length !== 1 && sizeOf(options.shape) !== flat.length) {
      throw new RangeError(`tensor(): data of shape ${formatShape(inferred)} cannot take shape ${formatShape(options.shape)}`);
    }
    if (sizeOf(options.shape) !== flat.length) {
      throw new RangeError(`tensor(): ${flat.length} values cannot fill shape ${formatShape(options.shape)}`);
    }
    return new Tensor(flat, options.shape.slice());
  }
  return new Tensor(flat, inferred);
}

function inferShape(values: NestedArray): number[] {
  const shape: number[] = [];
  let v: NestedArray = values;
  while (typeof v !== 'number') {
    if (!Array.isArray(v)) throw new TypeError(`tensor(): expected numbers or arrays, got ${typeof v}`);
    shape.push(v.length);
    if (v.length === 0) break;
    v = v[0]!;
  }
  if (typeof v !== 'number' && shape.length > 0 && shape[shape.length - 1] !== 0) {
    throw new TypeError('tensor(): expected numbers at the innermost level');
  }
  return shape;
}

/** A rank-0 tensor. */
export function scalar(value: number, options: DTypeOptions = {}): Tensor {
  return tensor(value, options);
}

/** A tensor of the given shape filled with `value`. */
export function full(shape: Shape, value: number, options: DTypeOptions = {}): Tensor {
  checkShape(shape);
  const data = allocate(options.dtype ?? 'float64', sizeOf(shape));
  if (value !== 0) data.fill(value);
  return new Tensor(data, shape.slice());
}

/** A tensor of zeros. */
export function zeros(shape: Shape, options: DTypeOptions = {}): Tensor {
  return full(shape, 0, options);
}

/** A tensor of ones. */
export function ones(shape: Shape, options: DTypeOptions = {}): Tensor {
  return full(shape, 1, options);
}

/** Zeros with another tensor's shape and dtype. */
export function zerosLike(t: Tensor): Tensor {
  return full(t.shape, 0, { dtype: t.dtype });
}

/** Ones with another tensor's shape and dtype. */
export function onesLike(t: Tensor): Tensor {
  return full(t.shape, 1, { dtype: t.dtype });
}

/**
 * Evenly spaced values in `[start, stop)`, like `torch.arange`: `arange(5)`, `arange(1, 4)`,
 * `arange(0, 1, 0.25)`.
 */
export function arange(start: number, stop?: number, step = 1, options: DTypeOptions = {}): Tensor {
  if (stop === undefined) {
    stop = start;
    start = 0;
  }
  if (step === 0 || !Number.isFinite(step)) throw new RangeError(`arange(): step must be finite and non-zero, got ${step}`);
  const n = Math.max(0, Math.ceil((stop - start) / step));
  const data = allocate(options.dtype ?? 'float64', n);
  for (let i = 0; i < n; i++) data[i] = start + i * step;
  return new Tensor(data, vectorShape(n));
}

/** The n×n identity matrix. */
export function eye(n: number, options: DTypeOptions = {}): Tensor {
  const t = zeros([n, n], options);
  for (let i = 0; i < n; i++) t.data[i * n + i] = 1;
  return t;
}
