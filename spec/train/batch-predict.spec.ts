import { from, lastValueFrom, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { add, input, matmul, param, retainedTicks, tensor } from '../../src/index.js';
import { batch, stackSamples } from '../../src/train/batch.js';
import { predict } from '../../src/train/predict.js';

describe('batch', () => {
  it('stacks numbers, arrays, tensors and objects field by field along a new leading axis', () => {
    expect(stackSamples([1, 2, 3]).toArray()).toEqual([1, 2, 3]);
    expect(stackSamples([[1, 2], [3, 4]]).shape).toEqual([2, 2]);
    expect(stackSamples([tensor([[1]]), tensor([[2]])]).shape).toEqual([2, 1, 1]);
    const b = stackSamples([{ x: [1, 2], y: 0 }, { x: [3, 4], y: 1 }]);
    expect(b.x.toArray()).toEqual([[1, 2], [3, 4]]);
    expect(b.y.toArray()).toEqual([0, 1]);
    expect(() => stackSamples([[1, 2], [3]])).toThrow(/sample 1 has shape \[1\], the first \[2\]/);
  });

  it('groups every n samples into one tick, emitting the last partial batch unless told not to', async () => {
    const groups = await lastValueFrom(from([1, 2, 3, 4, 5]).pipe(batch(2), toArray()));
    expect(groups.map((g) => g.toArray())).toEqual([[1, 2], [3, 4], [5]]);
    const whole = await lastValueFrom(from([1, 2, 3, 4, 5]).pipe(batch(2, { partial: false }), toArray()));
    expect(whole).toHaveLength(2);
    expect(() => batch(0)).toThrow(/positive integer/);
  });
});

describe('predict', () => {
  it('evaluates a node per sample and keeps no per-tick state', async () => {
    const W = param(tensor([[2], [3]])), b = param(tensor([1]));
    const x = input([null, 2]);
    const out = x.pipe(matmul(W), add(b));
    const frames = await lastValueFrom(
      from([{ x: [[1, 1]] }, { x: [[1, 0], [0, 1]] }]).pipe(predict({ inputs: [x], feed: (s) => [s.x], output: out }), toArray()),
    );
    expect(frames.map((f) => [f.tick, f.value.toArray()])).toEqual([[0, [[6]]], [1, [[3], [4]]]]);
    expect(retainedTicks()).toBe(0);
  });
});
