import fc from 'fast-check';
import { type ShapeArbOptions, shapeBounds } from './shape-arb.js';

/**
 * Two shapes that broadcast together under NumPy rules: sometimes equal, sometimes one with unit
 * dimensions where the other has more, sometimes one missing leading dimensions (down to a
 * scalar when `minRank` is 0). Rank and dimension bounds apply to both shapes. Shrinks towards two
 * equal shapes, then towards smaller ones.
 *
 * Built from an output shape: each side keeps a suffix of it and turns some of its dimensions into 1.
 *
 * @example
 * fc.assert(fc.property(broadcastPairArb(), ([a, b]) => broadcastShapes(a, b) !== null));
 */
export function broadcastPairArb(options: ShapeArbOptions = {}): fc.Arbitrary<[number[], number[]]> {
  const b = shapeBounds(options);
  const out = fc.array(fc.integer({ min: b.minDim, max: b.maxDim }), { minLength: b.minRank, maxLength: b.maxRank });
  const side = fc.record({ drop: fc.nat({ max: b.maxRank }), unit: fc.array(fc.boolean(), { minLength: b.maxRank, maxLength: b.maxRank }) });
  const derive = (shape: number[], s: { drop: number; unit: boolean[] }): number[] => {
    const keep = Math.max(b.minRank, shape.length - s.drop);
    const suffix = shape.slice(shape.length - keep);
    // Unit flags are read from the end, so shrinking a flag affects the same trailing axis on both sides.
    return suffix.map((d, i) => (s.unit[suffix.length - 1 - i] && b.minDim <= 1 ? 1 : d));
  };
  const general = fc.tuple(out, side, side).map(([shape, sa, sb]): [number[], number[]] => [derive(shape, sa), derive(shape, sb)]);
  const equal = out.map((shape): [number[], number[]] => [shape, shape.slice()]);
  return fc.oneof({ arbitrary: equal, weight: 1 }, { arbitrary: general, weight: 3 });
}
