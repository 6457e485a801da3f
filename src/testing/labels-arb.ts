import fc from 'fast-check';
import { type DType, type Shape, Tensor, allocate, sizeOf } from '../tensor/index.js';
import { asShapeArb } from './tensor-arb.js';

export interface LabelsArbOptions {
  /** When given, about one label in five is this value (PyTorch's ignore_index, e.g. −100). */
  ignoreIndex?: number;
  /** Storage type of the labels. Default float64. */
  dtype?: DType;
}

/**
 * Integer class labels in [0, classes) as a tensor (float storage, as crossEntropy and nll take
 * them), optionally mixed with `ignoreIndex`. Shrinks towards class 0.
 *
 * @example
 * labelsArb([4], 3);                           // e.g. tensor([2, 0, 0, 1])
 * labelsArb([2, 3], 5, { ignoreIndex: -100 });
 */
export function labelsArb(shape: Shape | fc.Arbitrary<readonly number[]>, classes: number, options: LabelsArbOptions = {}): fc.Arbitrary<Tensor> {
  if (!Number.isInteger(classes) || classes < 1) throw new RangeError(`labelsArb: classes must be a positive integer, got ${classes}`);
  const cls = fc.integer({ min: 0, max: classes - 1 });
  const label = options.ignoreIndex === undefined ? cls : fc.oneof({ arbitrary: cls, weight: 4 }, { arbitrary: fc.constant(options.ignoreIndex), weight: 1 });
  const dtype = options.dtype ?? 'float64';
  return asShapeArb(shape).chain((s) => {
    const n = sizeOf(s);
    return fc.array(label, { minLength: n, maxLength: n }).map((ls) => {
      const data = allocate(dtype, n);
      data.set(ls);
      return new Tensor(data, s);
    });
  });
}
