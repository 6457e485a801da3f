import { arenaCell } from './arena-cell.js';
import { type Arena, type DType, type TypedArray, allocate } from './dtype.js';
import { type Shape, formatShape, shapesEqual, sizeOf } from './shape.js';

/** Nested arrays of numbers, as `toArray()` returns them and `tensor()` accepts them. */
export type NestedArray = number | readonly NestedArray[];

/**
 * A dense, contiguous, row-major array of float64 or float32 numbers with a shape.
 *
 * Tensors are values: no op ever writes into a tensor it received. `data` is exposed for kernels
 * and for fast reads; writing into it is a bug (NOTE: typed arrays cannot be frozen, so this is a
 * contract, not an enforcement — the gradient checker verifies that ops honour it).
 *
 * @example
 * const t = tensor([[1, 2], [3, 4]]);
 * t.shape;          // [2, 2]
 * t.toArray();      // [[1, 2], [3, 4]]
 */
export class Tensor {
  /** Dimensions, outermost first. Frozen; shared between tensors of the same shape. */
  readonly shape: Shape;
  /** Element storage, row-major. Read it; never write it. */
  readonly data: TypedArray;
  /** `float64` or `float32`, as `data` says. */
  readonly dtype: DType;
  /** Number of elements. */
  readonly size: number;

  /**
   * Wraps storage and a shape. The shape array is adopted, not copied: tensors of the same shape
   * share one array, so it must never be mutated (the `readonly` type says so).
   *
   * NOTE: freezing every shape costs 20–40 ns per tensor in V8 — more than a small kernel — so
   * immutability is a typed contract here; the public factories copy caller-owned shape arrays.
   */
  constructor(data: TypedArray, shape: Shape) {
    let size = 1;
    for (let i = 0; i < shape.length; i++) size *= shape[i]!;
    if (data.length !== size) {
      throw new RangeError(`Tensor: shape ${formatShape(shape)} needs ${size} elements, storage holds ${data.length}`);
    }
    this.shape = shape;
    this.data = data;
    this.dtype = data instanceof Float64Array ? 'float64' : 'float32';
    this.size = size;
  }

  /** Number of dimensions. */
  get rank(): number {
    return this.shape.length;
  }

  /** The single element of a one-element tensor (any rank), as a number. */
  item(): number {
    if (this.size !== 1) {
      throw new RangeError(`item(): tensor of shape ${formatShape(this.shape)} has ${this.size} elements, not 1`);
    }
    return this.data[0]!;
  }

  /** The element at a multi-index (negative indices count from the end). */
  get(...index: number[]): number {
    if (index.length !== this.shape.length) {
      throw new RangeError(`get(): ${index.length} indices for a tensor of rank ${this.shape.length}`);
    }
    let offset = 0;
    for (let d = 0; d < index.length; d++) {
      const n = this.shape[d]!;
      let i = index[d]!;
      if (i < 0) i += n;
      if (!Number.isInteger(i) || i < 0 || i >= n) {
        throw new RangeError(`get(): index ${index[d]} out of range for dimension ${d} of ${formatShape(this.shape)}`);
      }
      offset = offset * n + i;
    }
    return this.data[offset]!;
  }

  /** The elements as nested arrays (a number for a scalar). */
  toArray(): NestedArray {
    const { shape, data } = this;
    if (shape.length === 0) return data[0]!;
    const build = (dim: number, offset: number): NestedArray[] => {
      const n = shape[dim]!;
      const out: NestedArray[] = new Array(n);
      if (dim === shape.length - 1) {
        for (let i = 0; i < n; i++) out[i] = data[offset + i]!;
        return out;
      }
      const inner = sizeOf(shape.slice(dim + 1));
      for (let i = 0; i < n; i++) out[i] = build(dim + 1, offset + i * inner);
      return out;
    };
    return build(0, 0);
  }

  /** A copy with fresh storage (optionally converted to another dtype). */
  clone(dtype: DType = this.dtype): Tensor {
    const data = allocate(dtype, this.size);
    data.set(this.data);
    return new Tensor(data, this.shape);
  }

  /** The same elements in another dtype (this tensor itself when the dtype already matches). */
  astype(dtype: DType): Tensor {
    return dtype === this.dtype ? this : this.clone(dtype);
  }

  toString(): string {
    const body = JSON.stringify(this.toArray());
    return `Tensor(${formatShape(this.shape)}, ${this.dtype}) ${body.length > 200 ? body.slice(0, 200) + '…' : body}`;
  }
}

/**
 * A zero-filled tensor for an op's output. Under an arena (the engine's recycling) it is the
 * arena's next buffer, and the same Tensor object as the last time that buffer was handed out with
 * this shape: one call, no allocation once a run has warmed up.
 */
export function empty(shape: Shape, dtype: DType = 'float64'): Tensor {
  const arena = arenaCell.active;
  if (arena === null) return new Tensor(allocate(dtype, sizeOf(shape)), shape);
  const i = arena.next;
  return wrapperAt(arena, i, arena.take(dtype, sizeOf(shape)), shape);
}

/**
 * A tensor over storage an op just got from `allocate()`: the same as `new Tensor(data, shape)`,
 * except that under an arena (the engine's recycling, where the storage is reused from tick to
 * tick) the Tensor object built over that storage last tick is returned again when the shape is
 * the same — it is the same value, and one object fewer per op output for the collector.
 */
export function wrapStorage(data: TypedArray, shape: Shape): Tensor {
  const arena = arenaCell.active;
  const i = arena === null ? -1 : arena.indexOf(data);
  return i < 0 ? new Tensor(data, shape) : wrapperAt(arena!, i, data, shape);
}

/** The Tensor over an arena's i-th buffer: last tick's when the buffer and shape are unchanged, else a new one, cached. */
function wrapperAt(arena: Arena, i: number, data: TypedArray, shape: Shape): Tensor {
  const cached = arena.wrappers[i] as Tensor | undefined;
  if (cached !== undefined && cached.data === data && (cached.shape === shape || shapesEqual(cached.shape, shape))) return cached;
  const t = new Tensor(data, shape);
  arena.wrappers[i] = t;
  return t;
}

export function isTensor(value: unknown): value is Tensor {
  return value instanceof Tensor;
}
