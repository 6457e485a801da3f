/**
 * The other half of a checker's quality: correct backwards are never rejected. Hundreds of random
 * calls of the built-in ops (from the op table's generators), float64 and float32, full and
 * projection mode, central and richardson, with the default tolerances.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type OpName, registry } from '../../src/ops/index.js';
import type { DType } from '../../src/tensor/index.js';
import { type GradcheckOptions, type OpCase, formatReport, gradcheck } from '../../src/testing/index.js';
import { opTable } from '../ops/op-table.js';

const names = Object.keys(registry) as OpName[];

/** A random op from the registry with a random case for it. */
const anyOpCase = (dtype: DType): fc.Arbitrary<[OpName, OpCase]> =>
  fc.constantFrom(...names).chain((name) => opTable[name].cases(dtype).map((c): [OpName, OpCase] => [name, c]));

function neverRejected(dtype: DType, options: GradcheckOptions, numRuns: number, seed: number): { ratio: number; refined: number } {
  let ratio = 0, refined = 0;
  fc.assert(
    fc.property(anyOpCase(dtype), fc.integer({ min: 0, max: 0x7fffffff }), ([name, c], gcSeed) => {
      const r = gradcheck(registry[name], c.inputs, { ...opTable[name].options, ...options, ...(c.attrs ? { attrs: c.attrs } : {}), seed: gcSeed });
      if (!r.ok) throw new Error(formatReport(r));
      ratio = Math.max(ratio, r.maxErrorRatio);
      refined += r.refined;
    }),
    { numRuns, seed },
  );
  return { ratio, refined };
}

describe('correct ops are never rejected', () => {
  it('float64, central, auto mode (400 runs across the registry)', () => {
    const { ratio } = neverRejected('float64', {}, 400, 101);
    // Base-step errors stay far below the tolerance (calibration: bench/gradcheck-calibration.ts).
    expect(ratio).toBeLessThan(1);
  });

  it('float32, central (200 runs): differences in float64, ∛ε₃₂ steps, float32 tolerances', () => {
    neverRejected('float32', {}, 200, 102);
  });

  it('float64, richardson, with its 100× tighter tolerances (150 runs)', () => {
    neverRejected('float64', { method: 'richardson' }, 150, 103);
  });

  it('float64 and float32, projection mode forced (150 runs each)', () => {
    neverRejected('float64', { mode: 'projection', trials: 3 }, 150, 104);
    neverRejected('float32', { mode: 'projection', trials: 3 }, 150, 105);
  });
});
