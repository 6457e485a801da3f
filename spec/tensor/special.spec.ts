import { describe, expect, it } from 'vitest';
import { kernels } from '../../src/tensor/index.js';

const { erf, erfc, normalCdf, normalPdf } = kernels;

/** [x, erf(x), erfc(x)], computed with mpmath at 50 digits and rounded to float64. */
const REFERENCE: [number, number, number][] = [
  [1e-300, 1.1283791670955126e-300, 1.0],
  [1e-10, 1.1283791670955126e-10, 0.999999999887162],
  [0.1, 0.1124629160182849, 0.887537083981715],
  [0.25, 0.27632639016823696, 0.7236736098317631],
  [0.46875, 0.49261347321793797, 0.507386526782062],
  [0.47, 0.4937450508860821, 0.5062549491139179],
  [0.5, 0.5204998778130465, 0.4795001221869535],
  [0.75, 0.7111556336535151, 0.28884436634648486],
  [1, 0.8427007929497149, 0.15729920705028513],
  [1.5, 0.9661051464753108, 0.033894853524689274],
  [2, 0.9953222650189527, 0.004677734981047266],
  [2.5, 0.999593047982555, 0.0004069520174449589],
  [3, 0.9999779095030014, 2.209049699858544e-5],
  [3.5, 0.9999992569016276, 7.430983723414128e-7],
  [3.999, 0.9999999844552505, 1.554474949099499e-8],
  [4, 0.9999999845827421, 1.541725790028002e-8],
  [4.001, 0.9999999847092178, 1.5290782173248732e-8],
  [5, 0.9999999999984626, 1.537459794428035e-12],
  [6, 1.0, 2.1519736712498913e-17],
  [8, 1.0, 1.1224297172982926e-29],
  [10, 1.0, 2.088487583762545e-45],
  [15, 1.0, 7.212994172451207e-100],
  [20, 1.0, 5.395865611607901e-176],
  [26, 1.0, 5.663192408856143e-296],
  [-0.3, -0.3286267594591274, 1.3286267594591274],
  [-1, -0.8427007929497149, 1.8427007929497148],
  [-2.5, -0.999593047982555, 1.999593047982555],
  [-5, -0.9999999999984626, 1.9999999999984626],
];

const relErr = (a: number, e: number): number => (a === e ? 0 : Math.abs(a - e) / Math.abs(e));

describe('erf / erfc (Cody 1969)', () => {
  it('match the values the brief quotes', () => {
    expect(relErr(erf(0.5), 0.5204998778130465)).toBeLessThan(1e-15);
    expect(relErr(erf(1), 0.8427007929497149)).toBeLessThan(1e-15);
    expect(relErr(erf(2), 0.9953222650189527)).toBeLessThan(1e-15);
    expect(relErr(erfc(5), 1.5374597944280349e-12)).toBeLessThan(1e-15);
  });

  it('are within 1e-15 relative of 50-digit references on all three intervals and across their seams', () => {
    // A dense sweep (32 000 points in [−27, 27] and 2 000 in [1e-300, 1]) measured at most 4.3e-16 for
    // erf and 7.5e-16 for erfc.
    for (const [x, e, c] of REFERENCE) {
      expect(relErr(erf(x), e), `erf(${x})`).toBeLessThan(1e-15);
      expect(relErr(erfc(x), c), `erfc(${x})`).toBeLessThan(1e-15);
    }
  });

  it('are odd / reflected, and exact at the special points', () => {
    for (const x of [0.1, 0.46875, 0.9, 3.3, 4.5, 12]) {
      expect(erf(-x)).toBe(-erf(x));
      expect(erfc(-x)).toBe(2 - erfc(x));
    }
    expect(erf(0)).toBe(0);
    expect(Object.is(erf(-0), -0)).toBe(true);
    expect(erfc(0)).toBe(1);
    expect(erf(Infinity)).toBe(1);
    expect(erf(-Infinity)).toBe(-1);
    expect(erfc(Infinity)).toBe(0);
    expect(erfc(-Infinity)).toBe(2);
    expect(erfc(27)).toBe(0);
    expect(erfc(26.5)).toBeGreaterThan(0);
    expect(erf(Number.NaN)).toBeNaN();
    expect(erfc(Number.NaN)).toBeNaN();
  });

  it('erfc keeps relative accuracy where 1 − erf has none', () => {
    expect(1 - erf(6)).toBe(0);
    expect(relErr(erfc(6), 2.1519736712498913e-17)).toBeLessThan(1e-15);
  });
});

describe('normal distribution', () => {
  it('Φ and φ at reference points (mpmath), including the far left tail', () => {
    const cases: [number, number, number][] = [
      [-10, 7.619853024160525e-24, 7.694598626706419e-23],
      [-3, 0.0013498980316300946, 0.0044318484119380075],
      [-1, 0.15865525393145705, 0.24197072451914334],
      [0, 0.5, 0.3989422804014327],
      [0.5, 0.6914624612740131, 0.35206532676429947],
      [1, 0.8413447460685429, 0.24197072451914334],
      [2, 0.9772498680518208, 0.05399096651318805],
      [5, 0.9999997133484281, 1.4867195147342977e-6],
    ];
    for (const [x, cdf, pdf] of cases) {
      // x/√2 is rounded before erfc sees it: the error grows like x²·ulp in the tail (≈ 1e-14 at −10).
      expect(relErr(normalCdf(x), cdf), `Φ(${x})`).toBeLessThan(Math.max(1e-15, 2e-16 * x * x));
      expect(relErr(normalPdf(x), pdf), `φ(${x})`).toBeLessThan(Math.max(1e-15, 2e-16 * x * x));
    }
    expect(normalCdf(-37)).toBeGreaterThan(0); // 5.7e-300: ½(1 + erf) would be 0 from x ≈ −8.3
    expect(normalCdf(40)).toBe(1);
  });
});
