import { describe, expect, it } from 'vitest';
import { add, matmul, mse, sigmoid, sum, tensor } from '../../src/index.js';

describe('smoke', () => {
  it('runs ops eagerly', () => {
    expect(add(tensor([1, 2]), tensor(10)).toArray()).toEqual([11, 12]);
    expect(matmul(tensor([[1, 2]]), tensor([[3], [4]])).toArray()).toEqual([[11]]);
    expect(sigmoid(tensor([0])).toArray()).toEqual([0.5]);
    expect(sum(tensor([[1, 2], [3, 4]]), { axes: 1 }).toArray()).toEqual([3, 7]);
    expect(mse(tensor([1, 2]), tensor([1, 4])).item()).toBe(2);
  });
});
