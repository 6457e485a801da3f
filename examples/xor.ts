/**
 * XOR, learned online: the textbook two-layer sigmoid network, one sample per tick.
 *
 *   z = x·W1 + b1,  h = σ(z),  o = h·W2 + b2,  loss = (o − y)²
 *
 * Samples are drawn at random (seeded) from XOR's truth table, forever; `take` decides how many the
 * network sees. `learn` runs forward, backward and an SGD step per sample, in that order, and emits
 * one Step record per tick. The gradient of W1 is watched on its own stream, `W1.grad$`.
 *
 *   npx tsx examples/xor.ts
 */
import { pathToFileURL } from 'node:url';
import { from, lastValueFrom, take, tap } from 'rxjs';
import { Rng, add, input, learn, matmul, mse, param, randn, runSync, sgd, sigmoid, zeros } from '../src/index.js';

const TABLE = [
  { x: [0, 0], y: [0] },
  { x: [0, 1], y: [1] },
  { x: [1, 0], y: [1] },
  { x: [1, 1], y: [0] },
] as const;

/** An endless stream of XOR samples in a seeded random order. */
function* xorSamples(seed: number) {
  const rng = new Rng(seed);
  for (;;) yield TABLE[rng.int(4)]!;
}

export interface XorResult {
  steps: number;
  /** Mean loss over the last 100 samples. */
  loss: number;
  /** Outputs for the four rows of the truth table, after training. */
  outputs: number[];
  /** Rows of the truth table the network gets right (output on the right side of 0.5). */
  correct: number;
}

export async function main({ steps = 2000, log = console.log }: { steps?: number; log?: (line: string) => void } = {}): Promise<XorResult> {
  const W1 = param(randn([2, 8], { seed: 1 })), b1 = param(zeros([8]));
  const W2 = param(randn([8, 1], { seed: 2 })), b2 = param(zeros([1]));
  const x = input(), y = input();
  const out = x.pipe(matmul(W1), add(b1), sigmoid(), matmul(W2), add(b2));
  const loss = mse(out, y);

  // Every node is observable. Here: the size of W1's gradient, one frame per tick (0 for the input
  // [0, 0], which reaches no weight of W1).
  const gradNorms: number[] = [];
  const watch = W1.grad$.subscribe(({ value }) => keepLast(gradNorms, Math.hypot(...value.data)));

  const recent: number[] = [];
  const every = Math.max(1, Math.floor(steps / 10));
  const last = await lastValueFrom(
    from(xorSamples(42)).pipe(
      take(steps),
      learn({ inputs: [x, y], feed: (s) => [s.x, s.y], loss, optimizer: sgd({ lr: 0.2 }) }),
      tap((step) => {
        keepLast(recent, step.loss);
        if ((step.tick + 1) % every === 0) {
          log(`step ${String(step.tick + 1).padStart(5)}   loss ${mean(recent).toExponential(2)}   mean |∂loss/∂W1| ${mean(gradNorms).toExponential(2)}`);
        }
      }),
    ),
  );
  watch.unsubscribe();

  const outputs = TABLE.map((row) => runSync(out, { feed: [[x, row.x]] }).value.item());
  const correct = outputs.filter((o, i) => o > 0.5 === (TABLE[i]!.y[0] === 1)).length;
  log('');
  TABLE.forEach((row, i) => log(`  ${row.x[0]} xor ${row.x[1]} = ${row.y[0]}   network: ${outputs[i]!.toFixed(4)}`));
  return { steps: last.tick + 1, loss: mean(recent), outputs, correct };
}

/** Keeps the last 100 values. */
function keepLast(window: number[], value: number): void {
  window.push(value);
  if (window.length > 100) window.shift();
}

function mean(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const result = await main();
  if (result.correct < 4 || result.loss > 0.01) {
    console.error(`\nXOR was not learned: ${result.correct}/4 rows right, loss ${result.loss}`);
    process.exitCode = 1;
  } else {
    console.log(`\nlearned XOR in ${result.steps} samples (mean loss of the last 100: ${result.loss.toExponential(2)})`);
  }
}
