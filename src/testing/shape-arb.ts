import fc from 'fast-check';

/** Bounds of generated shapes. */
export interface ShapeArbOptions {
  /** Fewest dimensions. Default 0 (scalars included). */
  minRank?: number;
  /** Most dimensions. Default 3. */
  maxRank?: number;
  /** Smallest dimension. Default 1 (0 allows empty tensors). */
  minDim?: number;
  /** Largest dimension. Default 4. */
  maxDim?: number;
}

/** Fills in and validates shape bounds; shared by the shape arbitraries. */
export function shapeBounds(options: ShapeArbOptions): Required<ShapeArbOptions> {
  const b = { minRank: options.minRank ?? 0, maxRank: options.maxRank ?? 3, minDim: options.minDim ?? 1, maxDim: options.maxDim ?? 4 };
  for (const [k, v] of Object.entries(b)) if (!Number.isInteger(v) || v < 0) throw new RangeError(`shape bounds: ${k} must be a non-negative integer, got ${v}`);
  if (b.minRank > b.maxRank) throw new RangeError(`shape bounds: minRank ${b.minRank} > maxRank ${b.maxRank}`);
  if (b.minDim > b.maxDim) throw new RangeError(`shape bounds: minDim ${b.minDim} > maxDim ${b.maxDim}`);
  return b;
}

/**
 * Tensor shapes: between `minRank` and `maxRank` dimensions, each in `[minDim, maxDim]`. Shrinks
 * towards fewer and smaller dimensions.
 *
 * @example
 * fc.assert(fc.property(shapeArb({ minRank: 1, maxDim: 5 }), (shape) => shape.length >= 1));
 */
export function shapeArb(options: ShapeArbOptions = {}): fc.Arbitrary<number[]> {
  const b = shapeBounds(options);
  return fc.array(fc.integer({ min: b.minDim, max: b.maxDim }), { minLength: b.minRank, maxLength: b.maxRank });
}
