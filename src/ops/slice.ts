import { Tensor, allocate, kernels } from '../tensor/index.js';
import { defineOp } from './op.js';

export interface SliceAttrs {
  /** Start index per axis (negative counts from the end; missing axes start at 0). */
  start?: readonly number[];
  /** Exclusive end index per axis (negative counts from the end; missing axes run to their end). */
  end?: readonly number[];
}

function specOf(attrs: SliceAttrs): SliceAttrs {
  for (const key of ['start', 'end'] as const) {
    const v = attrs[key];
    if (v !== undefined && !Array.isArray(v)) throw new TypeError(`slice: ${key} must be an array of indices, got ${String(v)}`);
  }
  return attrs;
}

/**
 * A rectangular block, copied. Bounds follow Python: negative ones count from the end and
 * out-of-range ones are clamped, so an empty block is allowed.
 *
 * Forward: `out = x[start₀:end₀, start₁:end₁, …]`. Backward: `∂x` is zero except for the block,
 * which receives g.
 *
 * @example
 * slice(tensor([1, 2, 3, 4]), { start: [1], end: [-1] });   // [2, 3]
 * x.pipe(slice({ start: [0, 2] }));                          // drop the first two columns
 */
export const slice = defineOp<SliceAttrs, 1>({
  name: 'slice',
  arity: 1,
  recyclable: true,
  forward: ([x], attrs) => kernels.slice(x, specOf(attrs)),
  backward: (g, { inputs: [x], attrs }, needs) => {
    if (!needs[0]) return [null];
    const { begin, size } = kernels.resolveSlice(x.shape, specOf(attrs));
    const dx = allocate(x.dtype, x.size);
    kernels.copyBlock(dx, x.shape, begin, g.data, size, 'add');
    return [new Tensor(dx, x.shape)];
  },
});
