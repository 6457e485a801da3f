import { arenaCell } from './arena-cell.js';

/**
 * Element types. rxgrad computes in float64 by default, as PyTorch's gradcheck and any serious
 * numerical test do; float32 storage is available for memory-bound work.
 */
export type DType = 'float64' | 'float32';

/** The storage behind a tensor: always contiguous, row-major. */
export type TypedArray = Float64Array | Float32Array;

/*
 * Storage allocation. A typed array of more than 64 bytes lives outside V8's heap, and creating one
 * costs about a microsecond (a zeroed backing store, external-memory accounting, later sweeping) —
 * more than all the arithmetic of a small layer. Small tensors are therefore carved out of shared
 * slabs: a view on a slab costs ~30 ns. Slabs are never reused: a slab is zero when created, each
 * view is handed out once, and the garbage collector frees a slab when its last view dies.
 *
 * NOTE: `tensor.data.buffer` may be a slab shared with other tensors: always go through `data`
 * (or `buffer` with `byteOffset` and `byteLength`).
 */

/** Largest allocation (in bytes) carved from a slab; larger arrays get storage of their own. */
const SLAB_MAX_BYTES = 2048;
/** Slab size: small enough that a long-lived small tensor pins little memory. */
const SLAB_BYTES = 16384;
let slab = new ArrayBuffer(SLAB_BYTES);
let slabOffset = 0;

/**
 * A set of buffers reused from one tick to the next. While an arena is active, the n-th
 * `allocate()` call returns the arena's n-th buffer (zeroed again) when its dtype and size match:
 * an op that runs every tick with the same shapes allocates nothing after the first tick.
 *
 * The graph engine activates one arena per op and direction, only where it can prove the buffers
 * are dead before they are reused: one tick in flight, and every value that leaves the engine
 * (emitted frames, outputs, predictions) copied out. See Execution's `recycle` option.
 */
export class Arena {
  private readonly buffers: TypedArray[] = [];
  /** Each buffer's dtype (a string compare is cheaper than `instanceof` on the hot path). */
  private readonly dtypes: DType[] = [];
  /**
   * The Tensor last built over each buffer (see `empty` and `wrapStorage`): reused while its buffer and shape
   * stay, so a recycled op allocates no Tensor object either.
   */
  readonly wrappers: unknown[] = [];
  /** Index of the buffer the next `take` hands out; 0 after a rewind (generated ticks set it directly). */
  next = 0;

  /** Where `data` sits among the last few buffers handed out since the rewind, or −1. */
  indexOf(data: TypedArray): number {
    const stop = Math.max(0, this.next - 4);
    for (let i = this.next - 1; i >= stop; i--) if (this.buffers[i] === data) return i;
    return -1;
  }

  /** Starts handing out buffers from the first again. */
  rewind(): void {
    this.next = 0;
  }

  take(dtype: DType, size: number): TypedArray {
    const i = this.next++;
    const b = this.buffers[i];
    if (b !== undefined && b.length === size && this.dtypes[i] === dtype) {
      // NOTE: TypedArray.prototype.fill costs ~27 ns even for 16 elements; a loop is cheaper there.
      if (size <= 64) for (let k = 0; k < size; k++) b[k] = 0;
      else b.fill(0);
      return b;
    }
    const fresh = allocateFresh(dtype, size);
    this.buffers[i] = fresh;
    this.dtypes[i] = dtype;
    return fresh;
  }
}

/**
 * Makes `arena` (rewound) the source of `allocate()` until the next call; returns the arena that
 * was active so callers can restore it. Pass null to allocate fresh storage.
 */
export function enterArena(arena: Arena | null): Arena | null {
  const previous = arenaCell.active;
  arenaCell.active = arena;
  arena?.rewind();
  return previous;
}

/** Restores the arena returned by {@link enterArena} without rewinding it. */
export function restoreArena(arena: Arena | null): void {
  arenaCell.active = arena;
}

/** Allocates zeroed storage of the given dtype. */
export function allocate(dtype: DType, size: number): TypedArray {
  const arena = arenaCell.active;
  return arena === null ? allocateFresh(dtype, size) : arena.take(dtype, size);
}

/**
 * Zeroed storage of its own, whatever arena is active: for values that outlive the current tick (a
 * data row, a copy handed out). Small sizes are views on a shared slab (see above): use the array,
 * not its `buffer`. On W5's 9-feature rows: about 30 ns, where `new Float64Array(9)` (72 bytes, so
 * outside V8's heap) costs about 700.
 */
export function allocateFresh(dtype: DType, size: number): TypedArray {
  const width = dtype === 'float64' ? 8 : 4;
  const bytes = size * width;
  if (bytes > SLAB_MAX_BYTES || bytes === 0) return dtype === 'float64' ? new Float64Array(size) : new Float32Array(size);
  if (slabOffset + bytes > SLAB_BYTES) {
    slab = new ArrayBuffer(SLAB_BYTES);
    slabOffset = 0;
  }
  const offset = slabOffset;
  // Keep every view 8-byte aligned so float64 views are valid wherever the next one lands.
  slabOffset += (bytes + 7) & ~7;
  return dtype === 'float64' ? new Float64Array(slab, offset, size) : new Float32Array(slab, offset, size);
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
