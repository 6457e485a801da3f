/**
 * Runs gradcheck over the op table's generated cases (spec/ops/op-table.ts) with the default
 * options, per op, method, mode and dtype, and reports failures (correct ops: there must be none),
 * the worst base-step error/tolerance (how close a pass came to failing) and how many values needed
 * a refined step: the evidence behind the default tolerances.
 *
 *   npx tsx bench/gradcheck-calibration.ts [runs per op] [fast-check seed]
 */
import fc from 'fast-check';
import { type OpName, registry } from '../src/ops/index.js';
import { type GradcheckOptions, formatReport, gradcheck } from '../src/testing/index.js';
import { opTable } from '../spec/ops/op-table.js';

const runs = Number(process.argv[2] ?? 100);
const seed = Number(process.argv[3] ?? 7);
const configs: [string, 'float64' | 'float32', GradcheckOptions][] = [
  ['central float64', 'float64', {}],
  ['central float32', 'float32', {}],
  ['richardson float64', 'float64', { method: 'richardson' }],
  ['richardson float32', 'float32', { method: 'richardson' }],
  ['projection float64', 'float64', { mode: 'projection' }],
  ['projection float32', 'float32', { mode: 'projection' }],
];
const summary: string[] = [];
for (const [label, dtype, options] of configs) {
  let worstSmooth = 0, worstAll = 0, fails = 0, refined = 0, compared = 0, checks = 0;
  const t0 = performance.now();
  for (const name of Object.keys(opTable) as OpName[]) {
    const spec = opTable[name];
    const samples = fc.sample(fc.tuple(spec.cases(dtype), fc.integer({ min: 0, max: 0x7fffffff })), { numRuns: runs, seed });
    let ratio = 0, opRefined = 0;
    for (const [c, gcSeed] of samples) {
      const r = gradcheck(registry[name], c.inputs, { ...spec.options, ...options, ...(c.attrs ? { attrs: c.attrs } : {}), seed: gcSeed });
      checks++;
      ratio = Math.max(ratio, r.maxErrorRatio);
      opRefined += r.refined;
      compared += r.comparisons;
      if (!r.ok) {
        fails++;
        console.log(`${label} ${name}: FAILED\n${formatReport(r).split('\n').slice(0, 4).join('\n')}`);
      }
    }
    refined += opRefined;
    worstAll = Math.max(worstAll, ratio);
    // Ops whose domain reaches up to a singularity (0.01 from it) need refinement; the rest must not.
    if (opRefined === 0) worstSmooth = Math.max(worstSmooth, ratio);
    console.log(`${label.padEnd(20)} ${name.padEnd(14)} worst base err/tol ${ratio.toExponential(1).padStart(8)}  refined ${opRefined}`);
  }
  const ms = (performance.now() - t0) / checks;
  summary.push(`${label.padEnd(20)} ${fails}/${checks} failures; worst base err/tol ${worstSmooth.toExponential(1)} (ops needing no refinement), ${worstAll.toExponential(1)} (all); ${refined}/${compared} values refined; ${ms.toFixed(2)} ms/check`);
}
console.log(`\n${summary.join('\n')}`);
