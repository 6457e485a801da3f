/**
 * dense(x, W, b, { activation }) is what the graph fuses affine → sigmoid/tanh/relu into, so it must
 * equal the composition to the bit, forward and backward, for every shape — including saturated
 * units, where the slope comes from the pre-activation, which the fused backward has to recompute.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Tensor, affine, dense, relu, sigmoid, tanh, tensor } from '../../src/index.js';
import { OpError } from '../../src/ops/op-error.js';

const bits = (t: Tensor | null | undefined) => (t ? Array.from(t.data) : null);
const ACTS = { sigmoid, tanh, relu } as const;
// Values reaching z beyond 13 and 4, and with exact zeros and ties at the branch points.
const entry = fc.oneof(fc.double({ min: -8, max: 8, noNaN: true }), fc.constantFrom(0, 4, -4, 13, 6.5, 2, 1));
const matrix = (r: number, c: number) => fc.array(fc.array(entry, { minLength: c, maxLength: c }), { minLength: r, maxLength: r });

describe('dense', () => {
  it('equals act(affine(x, W, b)) bit for bit, forward and backward, saturated units included', () => {
    let saturated = 0;
    fc.assert(
      fc.property(
        fc.record({
          m: fc.integer({ min: 1, max: 4 }), k: fc.integer({ min: 1, max: 4 }), n: fc.integer({ min: 1, max: 5 }), vector: fc.boolean(),
          activation: fc.constantFrom('sigmoid' as const, 'tanh' as const, 'relu' as const),
        }).chain(({ m, k, n, vector, activation }) =>
          fc.record({ x: matrix(vector ? 1 : m, k), w: matrix(k, n), b: matrix(1, n), g: matrix(vector ? 1 : m, n) }).map((v) => ({
            x: vector ? tensor(v.x[0]!) : tensor(v.x), w: tensor(v.w), b: tensor(v.b[0]!), g: tensor(v.g), activation,
          }))),
        ({ x, w, b, g: gm, activation }) => {
          const act = ACTS[activation];
          const z = affine(x, w, b), y = act(z);
          if (z.data.some((v) => Math.abs(v) >= 4)) saturated++;
          const g = tensor(gm.data, { shape: y.shape });
          const fused = dense(x, w, b, { activation });
          expect(fused.shape).toEqual(y.shape);
          expect(bits(fused)).toEqual(bits(y));
          const needs = [true, true, true];
          const [dx, dw, db] = dense.backward(g, { inputs: [x, w, b], output: fused, attrs: { activation } }, needs);
          const [dz] = act.backward(g, { inputs: [z], output: y, attrs: {} }, [true]);
          const [dx2, dw2, db2] = affine.backward(dz!, { inputs: [x, w, b], output: z, attrs: {} }, needs);
          expect(bits(dx)).toEqual(bits(dx2));
          expect(bits(dw)).toEqual(bits(dw2));
          expect(bits(db)).toEqual(bits(db2));
        },
      ),
      { numRuns: 300 },
    );
    // The recompute branch must actually have been exercised.
    expect(saturated).toBeGreaterThan(50);
  });

  it('takes the slope from z exactly where the unfused ops do, at and beyond the switch points', () => {
    // z = 13 (sigmoid's switch), 40 (σ rounds to 1, slope e^−40 only from z), 4, −4 and 20 for tanh.
    for (const [activation, zs] of [['sigmoid', [12.999999, 13, 40]], ['tanh', [3.9999999, 4, -4, 20]]] as const) {
      const x = tensor([1]), w = tensor([[...zs]]), b = tensor(zs.map(() => 0));
      const [, dw] = dense.backward(tensor(zs.map(() => 1)), { inputs: [x, w, b], output: dense(x, w, b, { activation }), attrs: { activation } }, [true, true, true]);
      const z = tensor([...zs]), y = ACTS[activation](z);
      const [dz] = ACTS[activation].backward(tensor(zs.map(() => 1)), { inputs: [z], output: y, attrs: {} }, [true]);
      expect(bits(dw)).toEqual(bits(dz));
      expect(dw!.data.every((v) => v > 0)).toBe(true); // e^−40 and e^−40 stay positive: no cancellation to 0
    }
  });

  it('rejects an unknown activation, naming the op and the shapes', () => {
    expect(() => dense(tensor([1]), tensor([[1]]), tensor([0]), { activation: 'gelu' as never })).toThrow(OpError);
    expect(() => dense(tensor([1]), tensor([[1]]), tensor([0]), { activation: 'gelu' as never })).toThrow(/dense.*activation must be 'sigmoid', 'tanh' or 'relu', got "gelu"/);
  });
});
