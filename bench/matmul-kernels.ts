/**
 * The matrix-product kernels, measured: `npx tsx bench/matmul-kernels.ts [--quick]`.
 *
 * - GFLOP/s at n = 64, 256, 512 (float64 and float32) for the kernel rxgrad had before the blocked
 *   one (kept below as `old*`), the register-blocked TypeScript kernel and the wasm SIMD kernel;
 * - the same for W2's three products (MLP 784-128-10, batch 32: forward x·W, dW = xᵀ·g, dx = g·Wᵀ);
 * - nanoseconds per call for the tiny products of per-sample online training (a 2-16-1 network);
 * - the sweeps behind the dispatch thresholds BLOCKED_MIN_WORK and WASM_MIN_WORK.
 *
 * Each figure is the median of interleaved rounds (every contender once per round), since absolute
 * speeds drift on shared machines.
 */
import type { TypedArray } from '../src/tensor/dtype.js';
import { blocked, smallNN, smallNT, smallTN } from '../src/tensor/gemm/js.js';
import { wasmAvailable, wasmGemm } from '../src/tensor/gemm/wasm.js';
import { BLOCKED_MIN_WORK, WASM_MIN_ROWS, WASM_MIN_WORK, gemm, gemmKernelFor, gemmNT, gemmTN, setMatmulBackend } from '../src/tensor/matmul.js';

const quick = process.argv.includes('--quick');
const ROUNDS = quick ? 3 : 7;
/** Minimum time per measurement (ms): repetitions double until a batch takes this long. */
const MIN_MS = quick ? 20 : 60;

/* The kernels as they were before the blocked and wasm ones, for comparison. */

function oldGemm(a: TypedArray, aOff: number, b: TypedArray, bOff: number, out: TypedArray, oOff: number, m: number, k: number, n: number, accumulate = false): void {
  if (!accumulate) out.fill(0, oOff, oOff + m * n);
  for (let i = 0; i < m; i++) {
    const orow = oOff + i * n;
    const arow = aOff + i * k;
    for (let p = 0; p < k; p++) {
      const av = a[arow + p]!;
      const brow = bOff + p * n;
      for (let j = 0; j < n; j++) out[orow + j] = out[orow + j]! + av * b[brow + j]!;
    }
  }
}

function oldGemmTN(a: TypedArray, aOff: number, b: TypedArray, bOff: number, out: TypedArray, oOff: number, m: number, k: number, n: number, accumulate = false): void {
  if (!accumulate) out.fill(0, oOff, oOff + m * n);
  for (let p = 0; p < k; p++) {
    const arow = aOff + p * m;
    const brow = bOff + p * n;
    for (let i = 0; i < m; i++) {
      const av = a[arow + i]!;
      const orow = oOff + i * n;
      for (let j = 0; j < n; j++) out[orow + j] = out[orow + j]! + av * b[brow + j]!;
    }
  }
}

function oldGemmNT(a: TypedArray, aOff: number, b: TypedArray, bOff: number, out: TypedArray, oOff: number, m: number, k: number, n: number, accumulate = false): void {
  for (let i = 0; i < m; i++) {
    const arow = aOff + i * k;
    const orow = oOff + i * n;
    for (let j = 0; j < n; j++) {
      const brow = bOff + j * k;
      let acc = 0;
      for (let p = 0; p < k; p++) acc += a[arow + p]! * b[brow + p]!;
      out[orow + j] = accumulate ? out[orow + j]! + acc : acc;
    }
  }
}

/* Measuring. */

type Variant = 'NN' | 'TN' | 'NT';
type Kernel = (a: TypedArray, aOff: number, b: TypedArray, bOff: number, out: TypedArray, oOff: number, m: number, k: number, n: number, accumulate: boolean) => void;

const OLD: Record<Variant, Kernel> = { NN: oldGemm, TN: oldGemmTN, NT: oldGemmNT };
const SMALL: Record<Variant, Kernel> = { NN: smallNN, TN: smallTN, NT: smallNT };
const PUBLIC: Record<Variant, Kernel> = { NN: gemm, TN: gemmTN, NT: gemmNT };

/** Each variant's storage as strides: a(i, p) = a[i·ars + p·acs], b(p, j) = b[p·brs + j·bcs]. */
const BLOCKED: Record<Variant, Kernel> = {
  NN: (a, aOff, b, bOff, out, oOff, m, k, n, acc) => blocked(a, aOff, k, 1, b, bOff, n, 1, out, oOff, m, k, n, acc),
  TN: (a, aOff, b, bOff, out, oOff, m, k, n, acc) => blocked(a, aOff, 1, m, b, bOff, n, 1, out, oOff, m, k, n, acc),
  NT: (a, aOff, b, bOff, out, oOff, m, k, n, acc) => blocked(a, aOff, k, 1, b, bOff, 1, k, out, oOff, m, k, n, acc),
};
function wasmOrThrow(ok: boolean): void {
  if (!ok) throw new Error('wasm kernel unavailable');
}
const WASM: Record<Variant, Kernel> = {
  NN: (a, aOff, b, bOff, out, oOff, m, k, n, acc) => wasmOrThrow(wasmGemm(a, aOff, k, 1, b, bOff, n, 1, out, oOff, m, k, n, acc)),
  TN: (a, aOff, b, bOff, out, oOff, m, k, n, acc) => wasmOrThrow(wasmGemm(a, aOff, 1, m, b, bOff, n, 1, out, oOff, m, k, n, acc)),
  NT: (a, aOff, b, bOff, out, oOff, m, k, n, acc) => wasmOrThrow(wasmGemm(a, aOff, k, 1, b, bOff, 1, k, out, oOff, m, k, n, acc)),
};

/** Seconds per call of f, with enough repetitions to last MIN_MS. */
function secondsPerCall(f: () => void): number {
  for (let reps = 1; ; reps *= 2) {
    const t0 = performance.now();
    for (let r = 0; r < reps; r++) f();
    const ms = performance.now() - t0;
    if (ms >= MIN_MS) return ms / reps / 1000;
  }
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((x, y) => x - y);
  return s[s.length >> 1]!;
};

/** Median seconds per call of each contender over interleaved rounds (after one warm-up round). */
function race(contenders: Record<string, () => void>): Record<string, number> {
  const times: Record<string, number[]> = Object.fromEntries(Object.keys(contenders).map((k) => [k, []]));
  for (let round = -1; round < ROUNDS; round++) {
    for (const [name, f] of Object.entries(contenders)) {
      const s = secondsPerCall(f);
      if (round >= 0) times[name]!.push(s);
    }
  }
  return Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v)]));
}

function random(size: number, double: boolean, seed: number): TypedArray {
  const x = double ? new Float64Array(size) : new Float32Array(size);
  let s = seed >>> 0;
  for (let i = 0; i < size; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    x[i] = s / 2 ** 32 - 0.5;
  }
  return x;
}

interface Product { label: string; v: Variant; m: number; k: number; n: number }

/** One product with every kernel that can run it; rates in GFLOP/s. */
function rates(p: Product, double: boolean, kernels: Record<string, Record<Variant, Kernel>>): Record<string, number> {
  const a = random(p.m * p.k, double, 1), b = random(p.k * p.n, double, 2), out = random(p.m * p.n, double, 3);
  const contenders = Object.fromEntries(
    Object.entries(kernels).map(([name, set]) => [name, () => set[p.v](a, 0, b, 0, out, 0, p.m, p.k, p.n, true)]),
  );
  const secs = race(contenders);
  return Object.fromEntries(Object.entries(secs).map(([k, s]) => [k, (2 * p.m * p.k * p.n) / s / 1e9]));
}

const fmt = (x: number, d = 2): string => x.toFixed(d).padStart(8);

function table(title: string, products: Product[], dtypes: boolean[], kernels: Record<string, Record<Variant, Kernel>>): void {
  console.log(`\n${title} (GFLOP/s; speed-up over old in brackets)`);
  console.log(`${'product'.padEnd(34)}${'dtype'.padEnd(9)}${Object.keys(kernels).map((k) => k.padStart(16)).join('')}`);
  for (const p of products) {
    for (const double of dtypes) {
      const r = rates(p, double, kernels);
      const cells = Object.values(r).map((x) => `${fmt(x)} (${(x / r.old!).toFixed(1)}×)`.padStart(16));
      console.log(`${p.label.padEnd(34)}${(double ? 'float64' : 'float32').padEnd(9)}${cells.join('')}`);
    }
  }
}

const hasWasm = wasmAvailable();
const fast: Record<string, Record<Variant, Kernel>> = { old: OLD, 'TS blocked': BLOCKED, ...(hasWasm ? { wasm: WASM } : {}), rxgrad: PUBLIC };
console.log(`node ${process.version}; wasm SIMD kernel ${hasWasm ? 'available' : 'UNAVAILABLE'}; rounds ${ROUNDS}`);
console.log(`dispatch: plain loops below m·k·n = ${BLOCKED_MIN_WORK}, wasm from m·k·n = ${WASM_MIN_WORK} (with m ≥ ${WASM_MIN_ROWS}); "rxgrad" is the public gemm* with that dispatch`);

table('Square products', [64, 256, 512].map((s) => ({ label: `${s}×${s} · ${s}×${s}`, v: 'NN' as const, m: s, k: s, n: s })), [true, false], fast);

table('W2 (784-128-10, batch 32)', [
  { label: 'fwd x·W1    [32,784]·[784,128]', v: 'NN', m: 32, k: 784, n: 128 },
  { label: 'dW1 xᵀ·g    [784,32]·[32,128]', v: 'TN', m: 784, k: 32, n: 128 },
  { label: 'dx1 g·W1ᵀ   [32,128]·[128,784]', v: 'NT', m: 32, k: 128, n: 784 },
  { label: 'fwd h·W2    [32,128]·[128,10]', v: 'NN', m: 32, k: 128, n: 10 },
  { label: 'dW2 hᵀ·g    [128,32]·[32,10]', v: 'TN', m: 128, k: 32, n: 10 },
  { label: 'dh g·W2ᵀ    [32,10]·[10,128]', v: 'NT', m: 32, k: 10, n: 128 },
], [true, false], fast);

/* Tiny products: nanoseconds per call. */
console.log('\nTiny products of per-sample training, 2-16-1 network (ns per call, float64)');
const tiny: Product[] = [
  { label: 'fwd [1,2]·[2,16]', v: 'NN', m: 1, k: 2, n: 16 },
  { label: 'fwd [1,16]·[16,1]', v: 'NN', m: 1, k: 16, n: 1 },
  { label: 'dx2 g·W2ᵀ [1,1]·[1,16]', v: 'NT', m: 1, k: 1, n: 16 },
  { label: 'dW2 hᵀ·g [16,1]·[1,1]', v: 'TN', m: 16, k: 1, n: 1 },
  { label: 'dx1 g·W1ᵀ [1,16]·[16,2]', v: 'NT', m: 1, k: 16, n: 2 },
  { label: 'dW1 xᵀ·g [2,1]·[1,16]', v: 'TN', m: 2, k: 1, n: 16 },
];
const tinyKernels: Record<string, Record<Variant, Kernel>> = { old: OLD, 'plain loops': SMALL, 'TS blocked': BLOCKED, ...(hasWasm ? { wasm: WASM } : {}), rxgrad: PUBLIC };
console.log(`${'product'.padEnd(34)}${Object.keys(tinyKernels).map((k) => k.padStart(13)).join('')}`);
for (const p of tiny) {
  const a = random(p.m * p.k, true, 1), b = random(p.k * p.n, true, 2), out = random(p.m * p.n, true, 3);
  const secs = race(Object.fromEntries(Object.entries(tinyKernels).map(([name, set]) => [name, () => {
    // Many calls per timing so the loop's own cost is amortized the same way for each.
    for (let r = 0; r < 100; r++) set[p.v](a, 0, b, 0, out, 0, p.m, p.k, p.n, true);
  }])));
  console.log(`${p.label.padEnd(34)}${Object.values(secs).map((s) => fmt((s / 100) * 1e9, 1).padStart(13)).join('')}`);
}

/* The sweeps behind the thresholds. */
console.log('\nThreshold sweep (float64; ns per call; * marks the kernel the dispatch picks)');
const sweep: Product[] = [];
for (const s of [2, 3, 4, 5, 6, 8, 10, 12, 16, 24, 32]) sweep.push({ label: `cube ${s}`, v: 'NN', m: s, k: s, n: s });
for (const n of [4, 8, 16, 32, 64, 128, 256]) sweep.push({ label: `row [1,${n}]·[${n},${n}]`, v: 'NN', m: 1, k: n, n });
for (const n of [8, 16, 32, 64, 128]) sweep.push({ label: `batch 8 [8,${n}]·[${n},${n}]`, v: 'NN', m: 8, k: n, n });
for (const n of [8, 16, 32, 64, 128]) sweep.push({ label: `dW [${n},8]ᵀ·[8,${n}]`, v: 'TN', m: n, k: 8, n });
for (const n of [8, 16, 32, 64, 128]) sweep.push({ label: `dx [8,${n}]·[${n},${n}]ᵀ`, v: 'NT', m: 8, k: n, n });
for (const n of [16, 32, 64, 128]) sweep.push({ label: `two rows [2,${n}]·[${n},${n}]`, v: 'NN', m: 2, k: n, n });
for (const n of [1, 2, 3, 4]) sweep.push({ label: `narrow [64,64]·[64,${n}]`, v: 'NN', m: 64, k: 64, n });
for (const k of [1, 2, 4, 8]) sweep.push({ label: `dW [64,${k}]ᵀ·[${k},64]`, v: 'TN', m: 64, k, n: 64 });
for (const k of [1, 2, 4, 8]) sweep.push({ label: `dW [256,${k}]ᵀ·[${k},256]`, v: 'TN', m: 256, k, n: 256 });
const sweepKernels: Record<string, Record<Variant, Kernel>> = { 'plain loops': SMALL, 'TS blocked': BLOCKED, ...(hasWasm ? { wasm: WASM } : {}) };
console.log(`${'product'.padEnd(34)}${'m·k·n'.padStart(9)}${Object.keys(sweepKernels).map((k) => k.padStart(14)).join('')}`);
setMatmulBackend('auto');
for (const p of sweep) {
  const a = random(p.m * p.k, true, 1), b = random(p.k * p.n, true, 2), out = random(p.m * p.n, true, 3);
  const secs = race(Object.fromEntries(Object.entries(sweepKernels).map(([name, set]) => [name, () => set[p.v](a, 0, b, 0, out, 0, p.m, p.k, p.n, true)])));
  const work = p.m * p.k * p.n;
  const picked = { loops: 'plain loops', blocked: 'TS blocked', wasm: 'wasm' }[gemmKernelFor(p.m, p.k, p.n)];
  const cells = Object.entries(secs).map(([k, s]) => `${fmt(s * 1e9, 0)}${k === picked ? '*' : ' '}`.padStart(14));
  console.log(`${p.label.padEnd(34)}${String(work).padStart(9)}${cells.join('')}`);
}
