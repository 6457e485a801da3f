import { describe, expect, it } from 'vitest';
import { allClose, firstMismatch, tensor } from '../../src/tensor/index.js';

describe('allClose / firstMismatch', () => {
  it('accepts equal tensors, including equal infinities', () => {
    expect(firstMismatch(tensor([1, Infinity, -Infinity]), tensor([1, Infinity, -Infinity]))).toBeNull();
    expect(allClose(tensor([[1, 2]]), tensor([[1, 2]]))).toBe(true);
  });

  it('uses |a − e| ≤ atol + rtol·|e| (relative to the expected value)', () => {
    expect(allClose(tensor([1 + 1e-10]), tensor([1]))).toBe(true);
    expect(allClose(tensor([1 + 1e-8]), tensor([1]))).toBe(false);
    expect(allClose(tensor([1.1]), tensor([1]), { rtol: 0.1 })).toBe(true);
    expect(allClose(tensor([1e-13]), tensor([0]))).toBe(true);
    expect(allClose(tensor([1e-11]), tensor([0]))).toBe(false);
    expect(allClose(tensor([0.5]), tensor([0]), { atol: 0.5, rtol: 0 })).toBe(true);
  });

  it('reports the first mismatch with absolute and relative errors', () => {
    const m = firstMismatch(tensor([1, 2, 3]), tensor([1, 2.5, 4]));
    expect(m).toEqual({ index: 1, actual: 2, expected: 2.5, absError: 0.5, relError: 0.2 });
  });

  it('treats NaN as unequal unless equalNaN', () => {
    expect(allClose(tensor([Number.NaN]), tensor([Number.NaN]))).toBe(false);
    expect(allClose(tensor([Number.NaN]), tensor([Number.NaN]), { equalNaN: true })).toBe(true);
    expect(allClose(tensor([Number.NaN]), tensor([1]), { equalNaN: true })).toBe(false);
    expect(allClose(tensor([Infinity]), tensor([-Infinity]))).toBe(false);
  });

  it('never broadcasts: different shapes throw in firstMismatch, are false in allClose', () => {
    expect(() => firstMismatch(tensor([1]), tensor([[1]]))).toThrow('shapes differ: [1] vs [1,1]');
    expect(allClose(tensor([1, 1]), tensor(1))).toBe(false);
  });
});

describe('infinities', () => {
  it('an expected infinity matches only the same infinity', () => {
    expect(allClose(tensor([1]), tensor([Infinity]))).toBe(false);
    expect(allClose(tensor([1e308]), tensor([Infinity]), { rtol: 1 })).toBe(false);
    expect(allClose(tensor([Infinity]), tensor([1e308]), { rtol: 1 })).toBe(false);
    expect(allClose(tensor([-Infinity]), tensor([-Infinity]))).toBe(true);
  });
});
