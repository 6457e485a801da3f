/**
 * A custom op, from definition to training:
 * 1. define swish, `x·σ(x)`, with `defineOp`: its forward and its backward side by side;
 * 2. prove the backward right with rxgrad/testing: `assertGradcheck` at one point, then
 *    `fc.assert(checkOp(swish))` on generated shapes and values — and watch the checker reject a
 *    swish whose backward forgets a term;
 * 3. train a small network that uses it, online, exactly like a built-in activation.
 *
 * spec/examples/custom-op-user.spec.ts shows the same checks written as a test in a user's suite.
 *
 *   npx tsx examples/custom-op.ts
 */
import { pathToFileURL } from 'node:url';
import fc from 'fast-check';
import { from, lastValueFrom, take, tap } from 'rxjs';
import { Rng, accuracy, adam, bceWithLogits, defineOp, input, kernels, learn, mlp, randn, rolling, sigmoid, tensor } from '../src/index.js';
import { assertGradcheck, checkOp, gradcheck } from '../src/testing/index.js';

/** σ(x), computed without overflow for any x. */
function sigma(v: number): number {
  return v >= 0 ? 1 / (1 + Math.exp(-v)) : Math.exp(v) / (1 + Math.exp(v));
}

/**
 * Swish (SiLU), elementwise.
 *
 * Forward: `out = x·σ(x)`. Backward: `∂x = g·σ(x)·(1 + x·(1 − σ(x)))`.
 *
 * @example
 * swish(tensor([0, 1]));          // [0, 0.7310585786300049]
 * x.pipe(matmul(W), swish());
 */
export const swish = defineOp({
  name: 'swish',
  arity: 1,
  forward: ([x]) => kernels.unary(x, (v) => v * sigma(v)),
  backward: (g, { inputs: [x] }) => [kernels.binary('swish', g, x, (gv, xv) => gv * sigma(xv) * (1 + xv * (1 - sigma(xv))))],
});

/** The same op with a classic slip: the derivative of x·σ(x) taken as σ(x) alone. */
const swishWithABug = defineOp({
  name: 'swishWithABug',
  arity: 1,
  forward: ([x]) => kernels.unary(x, (v) => v * sigma(v)),
  backward: (g, { inputs: [x] }) => [kernels.binary('swishWithABug', g, x, (gv, xv) => gv * sigma(xv))],
});

/** Points of the square [−1.5, 1.5]², labelled 1 inside the unit circle and 0 outside. */
function* circle(seed: number) {
  const rng = new Rng(seed);
  for (;;) {
    const p = [3 * rng.uniform() - 1.5, 3 * rng.uniform() - 1.5] as const;
    yield { x: p, y: p[0] ** 2 + p[1] ** 2 < 1 ? 1 : 0 };
  }
}

export interface CustomOpResult {
  /** The gradient check at one point passed. */
  gradcheckOk: boolean;
  /** Generated cases `checkOp` ran. */
  propertyRuns: number;
  /** The checker rejected the buggy backward. */
  bugCaught: boolean;
  steps: number;
  /** Accuracy over the last 500 predictions (each made before learning from its sample). */
  rollingAccuracy: number;
}

export async function main({ steps = 5000, log = console.log }: { steps?: number; log?: (line: string) => void } = {}): Promise<CustomOpResult> {
  log(`swish([-2, 0, 2]) = [${Array.from(swish(tensor([-2, 0, 2])).data, (v) => v.toFixed(4)).join(', ')}]`);

  // 2. The backward against finite differences (float64): at one point, then as a property.
  const report = assertGradcheck(swish, [randn([3, 4], { seed: 1 })]);
  log(report.ok ? `gradcheck: passed, ${report.comparisons} Jacobian entries compared, max relative error ${report.maxRelError.toExponential(1)}` : 'gradcheck: FAILED');
  const propertyRuns = 50;
  fc.assert(checkOp(swish), { numRuns: propertyRuns, seed: 7 });
  log(`checkOp: ${propertyRuns} generated shapes and values passed`);
  const buggy = gradcheck(swishWithABug, [randn([3, 4], { seed: 1 })]);
  log(`the buggy backward is ${buggy.ok ? 'NOT caught' : `caught: ${buggy.failureCount} of ${buggy.comparisons} Jacobian entries wrong`}`);

  // 3. Train with it: swish between the layers of a small MLP, online, one sample per tick.
  const x = input([2]), y = input([1]);
  const net = mlp([2, 16, 1], { activation: swish(), seed: 5 });
  const logit = x.pipe(net);
  const every = Math.max(1, Math.floor(steps / 5));
  const last = await lastValueFrom(
    from(circle(11)).pipe(
      take(steps),
      learn({
        inputs: [x, y], feed: (s) => [s.x, [s.y]], loss: bceWithLogits(logit, y), optimizer: adam({ lr: 0.01 }),
        prediction: logit.pipe(sigmoid()), target: (s) => s.y, metrics: { accuracy: rolling(accuracy(), 500) },
      }),
      tap((step) => {
        if ((step.tick + 1) % every === 0) log(`sample ${String(step.tick + 1).padStart(5)}   rolling accuracy ${step.metrics.accuracy!.toFixed(3)}`);
      }),
    ),
  );
  return { gradcheckOk: report.ok, propertyRuns, bugCaught: !buggy.ok, steps: last.tick + 1, rollingAccuracy: last.metrics.accuracy! };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const result = await main();
  if (!result.gradcheckOk || !result.bugCaught || result.rollingAccuracy < 0.95) {
    console.error(`custom-op failed: gradcheck ${result.gradcheckOk}, bug caught ${result.bugCaught}, rolling accuracy ${result.rollingAccuracy}`);
    process.exitCode = 1;
  }
}
