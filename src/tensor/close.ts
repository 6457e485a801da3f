import { formatShape, shapesEqual } from './shape.js';
import type { Tensor } from './tensor.js';

export interface CloseOptions {
  /** Relative tolerance. Default 1e-9. */
  rtol?: number;
  /** Absolute tolerance. Default 1e-12. */
  atol?: number;
  /** Treat NaN as equal to NaN. Default false. */
  equalNaN?: boolean;
}

/** The first element where two tensors differ beyond tolerance, or null when they are close. */
export interface Mismatch {
  index: number;
  actual: number;
  expected: number;
  absError: number;
  relError: number;
}

/**
 * Compares elementwise with |actual − expected| ≤ atol + rtol·|expected| (NumPy's `isclose`).
 * Shapes must match exactly (no broadcasting, which would hide bugs).
 */
export function firstMismatch(actual: Tensor, expected: Tensor, options: CloseOptions = {}): Mismatch | null {
  const rtol = options.rtol ?? 1e-9, atol = options.atol ?? 1e-12;
  if (!shapesEqual(actual.shape, expected.shape)) {
    throw new RangeError(`shapes differ: ${formatShape(actual.shape)} vs ${formatShape(expected.shape)}`);
  }
  for (let i = 0; i < actual.size; i++) {
    const a = actual.data[i]!, e = expected.data[i]!;
    if (a === e) continue;
    if (Number.isNaN(a) && Number.isNaN(e) && options.equalNaN) continue;
    const absError = Math.abs(a - e);
    // NOTE: an infinity matches only itself (as NumPy's isclose); without this check the bound
    // atol + rtol·|e| is itself infinite and would accept any value, even the opposite infinity.
    if (!Number.isFinite(e) || !(absError <= atol + rtol * Math.abs(e))) {
      return { index: i, actual: a, expected: e, absError, relError: absError / Math.max(Math.abs(e), Number.MIN_VALUE) };
    }
  }
  return null;
}

/** True when every element is close (see {@link firstMismatch}) and the shapes are equal. */
export function allClose(actual: Tensor, expected: Tensor, options: CloseOptions = {}): boolean {
  if (!shapesEqual(actual.shape, expected.shape)) return false;
  return firstMismatch(actual, expected, options) === null;
}
