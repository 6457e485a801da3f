/**
 * W3: matrix product throughput, GFLOP/s = 2n³ / time, for square n×n operands at n = 64, 256, 512:
 * rxgrad's `kernels.matmul` (float64 and float32; also with its pure TypeScript kernels forced,
 * where rxgrad has that switch), the hand-written blocked reference (float64),
 * and TensorFlow.js (wasm with SIMD, and cpu; float32). tinybench times each (impl, n) pair over
 * several calls and the median latency is used. Results are checked against each other once.
 */
import { Bench } from 'tinybench';
import { type Tensor, kernels, tensor } from '../src/index.js';
import { SeededRandom } from './data.js';
import type { Row } from './harness.js';
import { tf, useBackend } from './peers/tfjs.js';
import { blockedMatmul } from './reference/matmul.js';
import { canForcePureTs, useMatmulBackend } from './backend.js';

export const W3_SIZES = [64, 256, 512] as const;

interface MatmulCase {
  readonly name: string;
  /** Untimed: prepare operands for size n (may switch the tfjs backend). */
  prepare(n: number, a: Float64Array, b: Float64Array): Promise<void> | void;
  /** Timed: one product. */
  run(): void;
  /** The last product, as float64 (for the agreement check). */
  result(): Float64Array;
  release?(): void;
}

function rxgradCase(dtype: 'float64' | 'float32', pureTs = false): MatmulCase {
  let ta: Tensor, tb: Tensor, out: Tensor | null = null;
  return {
    name: `rxgrad kernels.matmul (${dtype === 'float64' ? 'f64' : 'f32'}${pureTs ? ', pure TS' : ''})`,
    prepare(n, a, b) {
      useMatmulBackend(pureTs ? 'js' : 'auto');
      ta = tensor(a, { shape: [n, n], dtype });
      tb = tensor(b, { shape: [n, n], dtype });
    },
    run() {
      out = kernels.matmul(ta, tb);
    },
    result: () => Float64Array.from(out!.data),
    release: () => useMatmulBackend('auto'),
  };
}

function referenceCase(): MatmulCase {
  let a: Float64Array = new Float64Array(0), b = a, c = a, size = 0;
  return {
    name: 'hand-written blocked JS (f64)',
    prepare(n, x, y) {
      a = x;
      b = y;
      c = new Float64Array(n * n);
      size = n;
    },
    run() {
      blockedMatmul(a, b, c, size, size, size);
    },
    result: () => c,
  };
}

function tfjsCase(backend: 'cpu' | 'wasm'): MatmulCase {
  let ta: tf.Tensor2D | null = null, tb: tf.Tensor2D | null = null, last: Float32Array | null = null;
  return {
    name: `tfjs-${backend} matMul (f32)`,
    async prepare(n, a, b) {
      await useBackend(backend);
      ta = tf.tensor2d(Float32Array.from(a), [n, n]);
      tb = tf.tensor2d(Float32Array.from(b), [n, n]);
    },
    run() {
      const c = tf.matMul(ta!, tb!);
      // dataSync waits for the result and copies it out, as any caller reading it would.
      last = c.dataSync() as Float32Array;
      c.dispose();
    },
    result: () => Float64Array.from(last!),
    release() {
      ta?.dispose();
      tb?.dispose();
    },
  };
}

export interface W3Options {
  sizes: readonly number[];
  /** tinybench time budget per (impl, n), ms. */
  time: number;
  /** Minimum timed calls per (impl, n). */
  iterations: number;
}

/** Runs W3; the ratio is to the hand-written blocked product at the same n, from the same run. */
export async function runW3(o: W3Options, log: (line: string) => void = () => {}): Promise<Row[]> {
  const pureTs = canForcePureTs() ? [rxgradCase('float64', true), rxgradCase('float32', true)] : [];
  const cases = [referenceCase(), rxgradCase('float64'), rxgradCase('float32'), ...pureTs, tfjsCase('wasm'), tfjsCase('cpu')];
  const rows: Row[] = [];
  for (const n of o.sizes) {
    const rng = new SeededRandom(1000 + n);
    const a = Float64Array.from({ length: n * n }, () => rng.uniform(-1, 1));
    const b = Float64Array.from({ length: n * n }, () => rng.uniform(-1, 1));
    const gflops = new Map<string, number>();
    const calls = new Map<string, string>();
    let expected: Float64Array | null = null;
    for (const c of cases) {
      await c.prepare(n, a, b);
      const bench = new Bench({ time: o.time, iterations: o.iterations, warmupTime: 50, warmupIterations: 2, throws: true });
      bench.add(c.name, () => c.run(), { async: false });
      await bench.run();
      const r = bench.tasks[0]!.result;
      if (r.state !== 'completed') throw new Error(`W3 ${c.name} n=${n}: ${r.state}`);
      const seconds = r.latency.p50 / 1000;
      gflops.set(c.name, (2 * n * n * n) / seconds / 1e9);
      calls.set(c.name, `${r.latency.samplesCount} calls, ±${r.latency.rme.toFixed(1)}%`);
      // Every product must agree with the first (float32 rows to float32 accuracy).
      const got = c.result();
      if (expected === null) expected = Float64Array.from(got);
      else {
        let worst = 0;
        for (let i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(got[i]! - expected[i]!));
        if (!(worst < 1e-3 * Math.sqrt(n))) throw new Error(`W3 ${c.name} n=${n}: differs from the reference by ${worst}`);
      }
      c.release?.();
      log(`  W3 n=${n} ${c.name}: ${gflops.get(c.name)!.toFixed(2)} GFLOP/s (${calls.get(c.name)})`);
    }
    const ref = gflops.get(cases[0]!.name)!;
    for (const c of cases) {
      rows.push({
        workload: `W3 n=${n}`, implementation: c.name, value: gflops.get(c.name)!, unit: 'GFLOP/s',
        ratio: gflops.get(c.name)! / ref, against: 'hand-written blocked', loss: null, final: null,
        rounds: [], note: calls.get(c.name)!,
      });
    }
  }
  return rows;
}
