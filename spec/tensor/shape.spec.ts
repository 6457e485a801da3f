import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  broadcastOrThrow, broadcastShapes, checkShape, formatShape, normalizeAxes, normalizeAxis, reducedShape, shapesEqual, sizeOf, stridesOf,
} from '../../src/tensor/index.js';
import { broadcastPairArb, shapeArb } from './helpers.js';

describe('shape arithmetic', () => {
  it('sizeOf, stridesOf, shapesEqual, formatShape', () => {
    expect(sizeOf([])).toBe(1);
    expect(sizeOf([2, 3, 4])).toBe(24);
    expect(sizeOf([2, 0, 4])).toBe(0);
    expect(stridesOf([2, 3, 4])).toEqual([12, 4, 1]);
    expect(stridesOf([])).toEqual([]);
    expect(shapesEqual([2, 3], [2, 3])).toBe(true);
    expect(shapesEqual([2, 3], [3, 2])).toBe(false);
    expect(shapesEqual([1], [1, 1])).toBe(false);
    expect(formatShape([2, 3])).toBe('[2,3]');
    expect(formatShape([])).toBe('[]');
  });

  it('checkShape accepts non-negative safe integers only', () => {
    expect(() => checkShape([0, 3])).not.toThrow();
    expect(() => checkShape([2, -1])).toThrow(/shape \[2,-1\] has an invalid dimension -1/);
    expect(() => checkShape([Number.NaN])).toThrow(RangeError);
    expect(() => checkShape('2' as unknown as number[])).toThrow(TypeError);
  });
});

describe('broadcasting', () => {
  it('follows NumPy: trailing alignment, equal or 1', () => {
    expect(broadcastShapes([2, 3], [3])).toEqual([2, 3]);
    expect(broadcastShapes([3, 1], [1, 4])).toEqual([3, 4]);
    expect(broadcastShapes([2, 1, 3], [4, 1])).toEqual([2, 4, 3]);
    expect(broadcastShapes([], [2, 2])).toEqual([2, 2]);
    expect(broadcastShapes([0], [1])).toEqual([0]);
    expect(broadcastShapes([2], [3])).toBeNull();
    expect(broadcastShapes([2, 3], [2])).toBeNull();
  });

  it('broadcastOrThrow names the op and both shapes', () => {
    expect(() => broadcastOrThrow('mul', [2, 3], [4])).toThrow('mul: shapes [2,3] and [4] cannot be broadcast together');
  });

  it('is symmetric, has [] as identity and is idempotent', () => {
    fc.assert(
      fc.property(broadcastPairArb, ([a, b]) => {
        const ab = broadcastShapes(a, b);
        expect(ab).not.toBeNull();
        expect(broadcastShapes(b, a)).toEqual(ab);
        expect(broadcastShapes(ab!, a)).toEqual(ab);
        expect(broadcastShapes(a, [])).toEqual(a);
        expect(ab!.length).toBe(Math.max(a.length, b.length));
      }),
    );
  });
});

describe('axes', () => {
  it('normalizeAxis counts negatives from the end and checks the range', () => {
    expect(normalizeAxis(-1, 3)).toBe(2);
    expect(normalizeAxis(0, 3)).toBe(0);
    expect(() => normalizeAxis(3, 3, 'sum')).toThrow('sum: axis 3 is out of range for rank 3');
    expect(() => normalizeAxis(-4, 3)).toThrow(/axis -4 is out of range/);
    expect(() => normalizeAxis(0.5, 3)).toThrow(RangeError);
  });

  it('normalizeAxes sorts, defaults to all axes and rejects repeats', () => {
    expect(normalizeAxes(undefined, 3)).toEqual([0, 1, 2]);
    expect(normalizeAxes(-1, 3)).toEqual([2]);
    expect(normalizeAxes([2, 0], 3)).toEqual([0, 2]);
    expect(normalizeAxes([], 3)).toEqual([]);
    expect(() => normalizeAxes([1, -2], 3, 'mean')).toThrow('mean: axis 1 is repeated in [1,-2]');
  });

  it('reducedShape drops or keeps reduced axes', () => {
    expect(reducedShape([2, 3, 4], [0, 2], false)).toEqual([3]);
    expect(reducedShape([2, 3, 4], [0, 2], true)).toEqual([1, 3, 1]);
    expect(reducedShape([2, 3], [0, 1], false)).toEqual([]);
  });

  it('reducedShape keeps the size of what is left', () => {
    fc.assert(
      fc.property(shapeArb(4, 4, 1).chain((s) => fc.tuple(fc.constant(s), fc.subarray(s.map((_, i) => i)))), ([s, axes]) => {
        const kept = reducedShape(s, axes, true);
        expect(kept.length).toBe(s.length);
        expect(sizeOf(reducedShape(s, axes, false))).toBe(sizeOf(kept));
        expect(sizeOf(kept) * axes.reduce((p, a) => p * s[a]!, 1)).toBe(sizeOf(s));
      }),
    );
  });
});
