import { type OperatorFunction, bufferCount, filter, map } from 'rxjs';
import { type NestedArray, Tensor, allocate, formatShape, isTensor, shapesEqual, tensor } from '../index-core.js';
import { GraphError } from '../graph/index.js';

/** A sample after stacking: tensors where the sample had numbers, arrays or tensors; objects keep their keys. */
export type Stacked<S> = S extends number | readonly unknown[] | Float64Array | Float32Array | Tensor
  ? Tensor
  : S extends object
    ? { [K in keyof S]: Stacked<S[K]> }
    : never;

/**
 * Stacks samples along a new leading axis: numbers into `[n]`, arrays and tensors of shape s into
 * `[n, ...s]`, and objects field by field (so `{ x: number[], y: number }` samples become
 * `{ x: Tensor[n, d], y: Tensor[n] }`). Every sample must have the same shapes.
 */
export function stackSamples<S>(samples: readonly S[]): Stacked<S> {
  const first = samples[0];
  if (first === undefined) throw new GraphError('batch: cannot stack zero samples');
  if (isTensor(first) || typeof first === 'number' || Array.isArray(first) || first instanceof Float64Array || first instanceof Float32Array) {
    const parts = samples.map((s) => (isTensor(s) ? s : tensor(s as unknown as NestedArray | Float64Array)));
    const shape = parts[0]!.shape;
    const out = allocate(parts[0]!.dtype, parts[0]!.size * parts.length);
    parts.forEach((p, i) => {
      if (!shapesEqual(p.shape, shape)) throw new GraphError(`batch: sample ${i} has shape ${formatShape(p.shape)}, the first ${formatShape(shape)}`);
      out.set(p.data, i * p.size);
    });
    return new Tensor(out, [parts.length, ...shape]) as Stacked<S>;
  }
  if (typeof first === 'object' && first !== null) {
    const result: Record<string, unknown> = {};
    for (const key of Object.keys(first)) result[key] = stackSamples(samples.map((s) => (s as Record<string, unknown>)[key]));
    return result as Stacked<S>;
  }
  throw new GraphError(`batch: cannot stack a sample of type ${typeof first}`);
}

export interface BatchOptions<S, B> {
  /** How to stack a group of samples (default {@link stackSamples}). */
  stack?: (samples: S[]) => B;
  /** Emit the last, smaller batch when the stream ends (default true). */
  partial?: boolean;
}

/**
 * Groups every `size` samples into one mini-batch, which then travels as one tick. Lossless and
 * bounded: at most `size` samples are buffered.
 *
 * @example
 * from(samples).pipe(batch(32), learn({ inputs: [x, y], feed: (b) => [b.x, b.y], loss, optimizer }));
 */
export function batch<S, B = Stacked<S>>(size: number, options: BatchOptions<S, B> = {}): OperatorFunction<S, B> {
  if (!(Number.isInteger(size) && size >= 1)) throw new GraphError(`batch: size must be a positive integer, got ${size}`);
  const stack = options.stack ?? ((s: S[]) => stackSamples(s) as unknown as B);
  const partial = options.partial ?? true;
  return (source) =>
    source.pipe(
      bufferCount(size),
      filter((group) => partial || group.length === size),
      map((group) => stack(group)),
    );
}
