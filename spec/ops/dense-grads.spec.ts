/**
 * affine's forward (float64) and denseGrads write out the one-row case (online learning) instead of
 * calling the gemm kernels: they must give exactly the kernels' bits, including the sign of zero.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type DType, type Tensor, allocate, kernels, tensor } from '../../src/index.js';
import { denseGrads } from '../../src/ops/grad-util.js';
import { affineValue } from '../../src/ops/affine.js';

const bits = (t: Tensor | null) => (t === null ? null : Array.from(t.data, (v) => (Object.is(v, -0) ? '-0' : v)));
const values = (n: number) => fc.array(fc.oneof(fc.double({ min: -5, max: 5, noNaN: true }), fc.constantFrom(0, -0, 1e-300)), { minLength: n, maxLength: n });

describe('denseGrads, one row', () => {
  for (const dtype of ['float64', 'float32'] as DType[]) {
    it(`equals the gemm kernels bit for bit (${dtype})`, () => {
      fc.assert(
        fc.property(
          fc.record({ k: fc.integer({ min: 1, max: 9 }), n: fc.integer({ min: 1, max: 9 }), matrix: fc.boolean() }).chain(({ k, n, matrix }) =>
            fc.record({ x: values(k), w: values(k * n), g: values(n) }).map((v) => ({ ...v, k, n, matrix }))),
          ({ x, w, g, k, n, matrix }) => {
            const xt = tensor(x, { dtype, shape: matrix ? [1, k] : [k] }), wt = tensor(w, { dtype, shape: [k, n] });
            const gt = tensor(g, { dtype, shape: matrix ? [1, n] : [n] });
            const out: (Tensor | null)[] = [null, null];
            denseGrads(gt, xt, wt, true, true, out);
            const dx = allocate(dtype, k), dw = allocate(dtype, k * n);
            kernels.gemmNT(gt.data, 0, wt.data, 0, dx, 0, 1, n, k, true);
            kernels.gemmTN(xt.data, 0, gt.data, 0, dw, 0, k, 1, n, true);
            expect(bits(out[0]!)).toEqual(bits(tensor(dx, { dtype })));
            expect(bits(out[1]!)).toEqual(bits(tensor(dw, { dtype })));
            expect(out[0]!.shape).toEqual(xt.shape);
            expect(out[1]!.shape).toEqual([k, n]);
          },
        ),
        { numRuns: 300 },
      );
    });
  }
});

describe('affine forward, one row', () => {
  it('equals gemm then the bias, bit for bit (float64)', () => {
    fc.assert(
      fc.property(
        fc.record({ k: fc.integer({ min: 1, max: 9 }), n: fc.integer({ min: 1, max: 9 }), matrix: fc.boolean() }).chain(({ k, n, matrix }) =>
          fc.record({ x: values(k), w: values(k * n), b: values(n) }).map((v) => ({ ...v, k, n, matrix }))),
        ({ x, w, b, k, n, matrix }) => {
          const xt = tensor(x, { shape: matrix ? [1, k] : [k] }), wt = tensor(w, { shape: [k, n] }), bt = tensor(b);
          const out = allocate('float64', n);
          kernels.gemm(xt.data, 0, wt.data, 0, out, 0, 1, k, n, true);
          for (let j = 0; j < n; j++) out[j] = out[j]! + bt.data[j]!;
          expect(bits(affineValue(xt, wt, bt))).toEqual(bits(tensor(out)));
        },
      ),
      { numRuns: 300 },
    );
  });
});
