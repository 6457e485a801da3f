import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { tensor } from '../../src/tensor/index.js';
import type { TypedArray } from '../../src/tensor/dtype.js';
import { blocked, smallNN, smallNT, smallTN } from '../../src/tensor/gemm/js.js';
import { wasmAvailable, wasmGemm } from '../../src/tensor/gemm/wasm.js';
import { GEMM_WASM_SOURCE_SHA256 } from '../../src/tensor/gemm/wasm-bytes.js';
import {
  BLOCKED_MIN_WORK, WASM_MIN_ROWS, WASM_MIN_WORK, type MatmulBackend,
  gemm, gemmKernelFor, gemmNT, gemmTN, gemmTT, matmul, setMatmulBackend,
} from '../../src/tensor/matmul.js';

type Variant = 'NN' | 'TN' | 'NT' | 'TT';
const VARIANTS: Variant[] = ['NN', 'TN', 'NT', 'TT'];
type Kernel = (a: TypedArray, aOff: number, b: TypedArray, bOff: number, out: TypedArray, oOff: number, m: number, k: number, n: number, accumulate: boolean) => void;

/** Strides of each variant's storage: a(i, p) = a[i·ars + p·acs], b(p, j) = b[p·brs + j·bcs]. */
function strides(v: Variant, m: number, k: number, n: number): [number, number, number, number] {
  const [ars, acs] = v[0] === 'N' ? [k, 1] : [1, m];
  const [brs, bcs] = v[1] === 'N' ? [n, 1] : [1, k];
  return [ars, acs, brs, bcs];
}

/** Every kernel, each wrapped to the gemm signature for one variant. */
function kernelsFor(v: Variant): Record<string, Kernel> {
  const set: Record<string, Kernel> = {
    blocked: (a, aOff, b, bOff, out, oOff, m, k, n, acc) => {
      const [ars, acs, brs, bcs] = strides(v, m, k, n);
      blocked(a, aOff, ars, acs, b, bOff, brs, bcs, out, oOff, m, k, n, acc);
    },
    wasm: (a, aOff, b, bOff, out, oOff, m, k, n, acc) => {
      const [ars, acs, brs, bcs] = strides(v, m, k, n);
      expect(wasmGemm(a, aOff, ars, acs, b, bOff, brs, bcs, out, oOff, m, k, n, acc)).toBe(true);
    },
  };
  const loops = { NN: smallNN, TN: smallTN, NT: smallNT, TT: null }[v];
  if (loops !== null) set.loops = loops;
  const entry = { NN: gemm, TN: gemmTN, NT: gemmNT, TT: gemmTT }[v];
  for (const backend of ['js', 'wasm', 'auto'] as const) {
    set[`gemm ${backend}`] = (...args) => {
      const previous = setMatmulBackend(backend);
      try {
        entry(...args);
      } finally {
        setMatmulBackend(previous);
      }
    };
  }
  return set;
}

/**
 * The textbook loop in the documented summation order, in float64: out + a(i,0)·b(0,j) + … The
 * float64 kernels must reproduce it bit for bit.
 */
function naive(v: Variant, a: TypedArray, aOff: number, b: TypedArray, bOff: number, out: TypedArray, oOff: number, m: number, k: number, n: number, accumulate: boolean): Float64Array {
  const [ars, acs, brs, bcs] = strides(v, m, k, n);
  const r = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = accumulate ? out[oOff + i * n + j]! : 0;
      for (let p = 0; p < k; p++) s += a[aOff + i * ars + p * acs]! * b[bOff + p * brs + j * bcs]!;
      r[i * n + j] = s;
    }
  }
  return r;
}

/** Σ|a||b| + |out| for each output: the scale of float32's rounding error. */
function magnitude(v: Variant, a: TypedArray, aOff: number, b: TypedArray, bOff: number, out: TypedArray, oOff: number, m: number, k: number, n: number, accumulate: boolean): Float64Array {
  const abs = (x: TypedArray): Float64Array => Float64Array.from(x, Math.abs);
  return naive(v, abs(a), aOff, abs(b), bOff, abs(out), oOff, m, k, n, accumulate);
}

/**
 * Storage of `size` values preceded by `lead` values (an offset to honour), inside a view whose
 * byteOffset is not 0, as slab-carved tensors have; values from a seeded generator.
 */
function storage(double: boolean, lead: number, size: number, seed: number): TypedArray {
  const W = double ? 8 : 4;
  const buffer = new ArrayBuffer((3 + lead + size) * W);
  const x = double ? new Float64Array(buffer, 3 * W, lead + size) : new Float32Array(buffer, 3 * W, lead + size);
  let s = seed >>> 0;
  for (let i = 0; i < x.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    x[i] = s / 2 ** 32 - 0.5;
  }
  return x;
}

/** Runs `kernel` on one case and checks it against the naive loop, and that nothing else was written. */
function check(kernel: Kernel, v: Variant, double: boolean, m: number, k: number, n: number, accumulate: boolean, seed: number): void {
  const aLead = seed % 5, bLead = (seed >> 3) % 7, oLead = (seed >> 5) % 3;
  const a = storage(double, aLead, m * k, seed), b = storage(double, bLead, k * n, seed + 1);
  const out = storage(double, oLead, m * n + 2, seed + 2);
  const before = out.slice();
  const expected = naive(v, a, aLead, b, bLead, out, oLead, m, k, n, accumulate);
  kernel(a, aLead, b, bLead, out, oLead, m, k, n, accumulate);
  // Nothing outside [oLead, oLead + m·n) is touched, nor are the inputs.
  for (let i = 0; i < oLead; i++) expect(out[i]).toBe(before[i]);
  for (let i = oLead + m * n; i < out.length; i++) expect(out[i]).toBe(before[i]);
  if (double) {
    for (let t = 0; t < m * n; t++) {
      if (out[oLead + t] !== expected[t]) expect.fail(`${v} ${m}×${k}×${n} acc=${accumulate}: [${t}] = ${out[oLead + t]}, loop gives ${expected[t]}`);
    }
  } else {
    const scale = magnitude(v, a, aLead, b, bLead, before, oLead, m, k, n, accumulate);
    for (let t = 0; t < m * n; t++) {
      const err = Math.abs(out[oLead + t]! - expected[t]!);
      if (!(err <= 1e-5 * scale[t]! + 1e-30)) expect.fail(`${v} float32 ${m}×${k}×${n}: [${t}] = ${out[oLead + t]}, loop gives ${expected[t]}`);
    }
  }
}

afterEach(() => {
  setMatmulBackend('auto');
});

describe('matrix-product kernels', () => {
  it('the wasm SIMD kernel loads in Node, and its embedded build is that of assembly/gemm.ts', () => {
    expect(wasmAvailable()).toBe(true);
    const source = readFileSync(new URL('../../assembly/gemm.ts', import.meta.url), 'utf8').replace(/\r\n/g, '\n');
    // If this fails, run `npm run build:wasm` and commit src/tensor/gemm/wasm-bytes.ts.
    expect(createHash('sha256').update(source).digest('hex')).toBe(GEMM_WASM_SOURCE_SHA256);
  });

  const SIZES = [1, 3, 4, 5, 17, 33, 65];
  for (const v of VARIANTS) {
    for (const [name, kernel] of Object.entries(kernelsFor(v))) {
      it(`${v} ${name}: float64 equals the plain loop bit for bit, float32 within 1e-5, at odd sizes and offsets`, () => {
        let seed = 1;
        for (const m of SIZES) for (const k of SIZES) for (const n of SIZES) {
          // Every size on each axis, not their full product, keeps this fast: vary one axis at a time around 5.
          if ([m, k, n].filter((d) => d !== 5).length > 1) continue;
          for (const double of [true, false]) for (const accumulate of [false, true]) check(kernel, v, double, m, k, n, accumulate, seed++);
        }
        // Across the wasm kernel's packing slices (256 values of p) and row blocks (128 rows).
        check(kernel, v, true, 129, 300, 9, true, 77);
        check(kernel, v, false, 130, 257, 10, false, 78);
      });

      it(`${v} ${name}: random sizes`, () => {
        fc.assert(
          fc.property(
            fc.integer({ min: 1, max: 40 }), fc.integer({ min: 0, max: 40 }), fc.integer({ min: 1, max: 40 }),
            fc.boolean(), fc.boolean(), fc.nat(1 << 20),
            (m, k, n, double, accumulate, seed) => check(kernel, v, double, m, k, n, accumulate, seed),
          ),
          { numRuns: 40 },
        );
      });

      it(`${v} ${name}: NaN and ±Inf propagate (0·NaN is NaN: no zero is skipped)`, () => {
        for (const double of [true, false]) {
          const m = 6, k = 7, n = 9;
          const make = (size: number) => (double ? new Float64Array(size) : new Float32Array(size));
          // a is all zeros but one NaN at (1, 2); b is all zeros but +Inf at (4, 5).
          const [ars, acs, brs, bcs] = strides(v, m, k, n);
          const a = make(m * k), b = make(k * n), out = make(m * n).fill(1);
          a[1 * ars + 2 * acs] = NaN;
          b[4 * brs + 5 * bcs] = Infinity;
          kernel(a, 0, b, 0, out, 0, m, k, n, true);
          for (let i = 0; i < m; i++) {
            for (let j = 0; j < n; j++) {
              // Row 1 meets the NaN (0·NaN); column 5 meets Inf times a's zeros (0·Inf).
              expect(Number.isNaN(out[i * n + j]!)).toBe(i === 1 || j === 5);
              if (i !== 1 && j !== 5) expect(out[i * n + j]).toBe(1);
            }
          }
        }
      });
    }
  }

  it('mixed dtypes (float32 · float64 into float64) run, in TypeScript, under every backend', () => {
    for (const backend of ['js', 'wasm', 'auto'] as const) {
      setMatmulBackend(backend);
      const a = storage(false, 0, 20 * 30, 5), b = storage(true, 0, 30 * 40, 6);
      const out = new Float64Array(20 * 40);
      gemm(a, 0, b, 0, out, 0, 20, 30, 40, false);
      expect(Array.from(out)).toEqual(Array.from(naive('NN', a, 0, b, 0, out, 0, 20, 30, 40, false)));
    }
  });

  it('a large float64 product gives identical bits under every backend', () => {
    const m = 70, k = 300, n = 90;
    const a = storage(true, 0, m * k, 1), b = storage(true, 0, k * n, 2);
    const results = (['js', 'wasm', 'auto'] as MatmulBackend[]).map((backend) => {
      setMatmulBackend(backend);
      return matmul(tensor(a, { shape: [m, k] }), tensor(b, { shape: [k, n] })).data;
    });
    expect(results[1]).toEqual(results[0]);
    expect(results[2]).toEqual(results[0]);
  });

  it('matmul reads transposed operands through gemmTT and friends at sizes that take every kernel', () => {
    for (const s of [3, 9, 40]) {
      const a = tensor(Array.from(storage(true, 0, s * (s + 1), s)), { shape: [s, s + 1] });
      const b = tensor(Array.from(storage(true, 0, (s + 1) * (s + 2), s + 1)), { shape: [s + 1, s + 2] });
      const plain = matmul(a, b).data;
      const ta = matmul(tensor(transposeData(a.data, s, s + 1), { shape: [s + 1, s] }), tensor(transposeData(b.data, s + 1, s + 2), { shape: [s + 2, s + 1] }), { transposeA: true, transposeB: true });
      expect(ta.data).toEqual(plain);
    }
  });
});

function transposeData(x: TypedArray, rows: number, cols: number): Float64Array {
  const t = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) t[j * rows + i] = x[i * cols + j]!;
  return t;
}

describe('dispatch', () => {
  it('depends on the sizes only, with the documented thresholds', () => {
    setMatmulBackend('auto');
    expect(gemmKernelFor(1, 2, 16)).toBe('loops');
    expect(gemmKernelFor(4, 4, 3)).toBe('loops');
    expect(BLOCKED_MIN_WORK).toBeLessThan(WASM_MIN_WORK);
    expect(gemmKernelFor(4, BLOCKED_MIN_WORK / 16, 4)).toBe('blocked');
    // One row never pays for wasm's 4-row tiles; wide-enough products do.
    expect(gemmKernelFor(1, 784, 128)).toBe('blocked');
    expect(gemmKernelFor(WASM_MIN_ROWS, WASM_MIN_WORK / WASM_MIN_ROWS, 1)).toBe('wasm');
    expect(gemmKernelFor(WASM_MIN_ROWS, WASM_MIN_WORK / WASM_MIN_ROWS - 1, 1)).toBe('blocked');
    expect(gemmKernelFor(WASM_MIN_ROWS - 1, WASM_MIN_WORK, 1)).toBe('blocked');
    expect(gemmKernelFor(32, 784, 128)).toBe('wasm');
    for (let r = 0; r < 3; r++) expect(gemmKernelFor(32, 784, 128)).toBe('wasm');
    setMatmulBackend('js');
    expect(gemmKernelFor(32, 784, 128)).toBe('blocked');
    expect(gemmKernelFor(1, 2, 16)).toBe('loops');
    setMatmulBackend('wasm');
    expect(gemmKernelFor(1, 2, 16)).toBe('wasm');
  });

  it('setMatmulBackend returns the previous setting', () => {
    expect(setMatmulBackend('js')).toBe('auto');
    expect(setMatmulBackend('auto')).toBe('js');
  });
});
