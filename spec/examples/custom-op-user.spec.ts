/**
 * How a user tests their own op in their own vitest suite. In a project that depends on rxgrad the
 * imports read `from 'rxgrad'` and `from 'rxgrad/testing'`; here, where the package is not built,
 * they point at src/ directly. `swish` stands for the user's op (see examples/custom-op.ts).
 */
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { type Tensor, input, matmul, mul, param, randn, runSync, sigmoid, sum, tensor } from '../../src/index.js'; // 'rxgrad'
import { checkOp, expectGradcheck, gradcheck, shapeArb, tensorArb } from '../../src/testing/index.js'; // 'rxgrad/testing'
import { swish } from '../../examples/custom-op.js'; // your op

describe('swish', () => {
  // The backward against finite differences, on any shape and values in [−9, 9].
  test.prop([tensorArb(shapeArb({ maxRank: 3, maxDim: 4 }))])('backward matches finite differences', (x) => {
    expectGradcheck(swish, [x]);
  });

  // The same, with the generator built in: checkOp draws shapes and values from the op's arity.
  it('passes checkOp', () => {
    fc.assert(checkOp(swish), { numRuns: 100 });
  });

  // The forward against its definition, x·σ(x), written with built-in ops.
  test.prop([tensorArb([5], { min: -30, max: 30 })])('forward is x·σ(x)', (x) => {
    const expected = mul(x, sigmoid(x));
    swish(x).data.forEach((v, i) => expect(v).toBeCloseTo(expected.data[i]!, 12));
  });

  it('is differentiated inside a graph like a built-in op', () => {
    const W = param(randn([3, 2], { seed: 1 }));
    const x = input([3]);
    const loss = x.pipe(matmul(W), swish(), sum());
    const X = tensor([0.5, -1, 2]);
    const { grads: [dW] } = runSync(loss, { feed: [[x, X]], wrt: [W] });
    // d/dW of Σ swish(x·W) is xᵀ·swish'(x·W): the op's own backward, chained by the graph.
    const z = matmul(X, W.value);
    const [dz] = swish.backward(tensor([1, 1]), { inputs: [z], output: swish(z), attrs: {} }, [true]);
    W.value.data.forEach((_, k) => expect(dW!.data[k]).toBeCloseTo(X.data[Math.floor(k / 2)]! * dz!.data[k % 2]!, 14));
  });

  it('would catch a wrong backward (the check is not a rubber stamp)', () => {
    // Any function with a forward and a backward can be checked: here swish with σ(x) as its slope.
    const slip = { name: 'swishSlip', forward: ([x]: readonly Tensor[]) => swish(x!), backward: (g: Tensor, [x]: readonly Tensor[]) => [mul(g, sigmoid(x!))] };
    expect(gradcheck(slip, [tensor([1, -2, 3])]).ok).toBe(false);
  });
});
