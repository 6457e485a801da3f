/**
 * affine(x, W, b) is what the graph fuses matmul → add into, so it must equal the composition to
 * the bit, forward and backward, for every shape.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Tensor, add, affine, matmul, tensor } from '../../src/index.js';

const bits = (t: Tensor | null | undefined) => (t ? Array.from(t.data) : null);
const matrix = (r: number, c: number) => fc.array(fc.array(fc.double({ min: -3, max: 3, noNaN: true }), { minLength: c, maxLength: c }), { minLength: r, maxLength: r });

describe('affine', () => {
  it('equals add(matmul(x, W), b) bit for bit, forward and backward', () => {
    fc.assert(
      fc.property(
        fc.record({ m: fc.integer({ min: 1, max: 5 }), k: fc.integer({ min: 1, max: 5 }), n: fc.integer({ min: 1, max: 5 }), vector: fc.boolean(), rowBias: fc.boolean() }).chain(
          ({ m, k, n, vector, rowBias }) =>
            fc.record({ x: matrix(vector ? 1 : m, k), w: matrix(k, n), b: matrix(1, n), g: matrix(vector ? 1 : m, n) }).map((v) => ({
              x: vector ? tensor(v.x[0]!) : tensor(v.x),
              w: tensor(v.w),
              b: rowBias ? tensor(v.b) : tensor(v.b[0]!),
              g: tensor(v.g),
            })),
        ),
        ({ x, w, b, g: gm }) => {
          const z = matmul(x, w), out = add(z, b);
          const g = tensor(gm.data, { shape: out.shape });
          const fused = affine(x, w, b);
          expect(fused.shape).toEqual(out.shape);
          expect(bits(fused)).toEqual(bits(out));
          const needs = [true, true, true];
          const [dx, dw, db] = affine.backward(g, { inputs: [x, w, b], output: fused, attrs: {} }, needs);
          const [dz, db2] = add.backward(g, { inputs: [z, b], output: out, attrs: {} }, [true, true]);
          const [dx2, dw2] = matmul.backward(dz!, { inputs: [x, w], output: z, attrs: {} }, [true, true]);
          expect(bits(dx)).toEqual(bits(dx2));
          expect(bits(dw)).toEqual(bits(dw2));
          expect(bits(db)).toEqual(bits(db2));
        },
      ),
      { numRuns: 200 },
    );
  });
});
