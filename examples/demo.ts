/**
 * The rxgrad demo: a small MLP learns, online, to tell apart two interleaved spirals from an
 * endless stream of points. Every point is one tick: predict it (the score counts that prediction:
 * "test, then train"), learn from it, next point. No data files: the stream is generated (seeded).
 *
 *   npm run demo            (or: npx tsx examples/demo.ts)
 *
 * In a terminal it draws a progress bar with the live loss and rolling accuracy; when the output is
 * not a terminal it prints plain progress lines. Exits with 1 if the model fails to learn.
 */
import { pathToFileURL } from 'node:url';
import cliProgress from 'cli-progress';
import { from, lastValueFrom, take, tap } from 'rxjs';
import {
  Rng, StandardScaler, accuracy, adam, bceWithLogits, cosineAnnealingLR, input, learn, mlp, rolling, runSync, sigmoid, standardize,
} from '../src/index.js';

/** Turns of each spiral arm. */
const TURNS = 2;
/** Rolling window of the live metrics, in samples. */
const WINDOW = 1000;

/**
 * Two interleaved spirals, forever: a point of arm `label` at radius t ∈ [0, 1] sits at angle
 * 2π·TURNS·t (+π for arm 1), with a little Gaussian noise. Radii are drawn so that points are
 * uniform along the disc's area.
 */
export function* spirals(seed: number, noise = 0.03): Generator<{ x: [number, number]; y: 0 | 1 }> {
  const rng = new Rng(seed);
  for (;;) {
    const label = rng.int(2) as 0 | 1;
    const t = Math.sqrt(rng.uniform());
    const angle = 2 * Math.PI * TURNS * t + label * Math.PI;
    yield { x: [t * Math.cos(angle) + noise * rng.normal(), t * Math.sin(angle) + noise * rng.normal()], y: label };
  }
}

export interface DemoOptions {
  /** Samples to learn from (default 60,000). */
  steps?: number;
  /** Where text goes (default console.log). */
  log?: (line: string) => void;
  /** 'bar' redraws a progress bar on stdout; 'lines' prints plain lines (default: 'bar' when stdout is a terminal). */
  progress?: 'bar' | 'lines';
}

export interface DemoResult {
  samples: number;
  seconds: number;
  samplesPerSecond: number;
  /** Accuracy of the last 1000 predictions, each made before learning from its sample. */
  rollingAccuracy: number;
  /** Mean loss (binary cross-entropy) of the last 1000 samples. */
  rollingLoss: number;
  /** Accuracy over the whole stream, from the very first (random) guesses on. */
  accuracy: number;
}

export async function main({ steps = 60_000, log = console.log, progress }: DemoOptions = {}): Promise<DemoResult> {
  const mode = progress ?? (process.stdout.isTTY ? 'bar' : 'lines');

  // The model: standardised coordinates → 32 → 32 → 1 logit, tanh in between.
  const x = input([2]), y = input([1]);
  const net = mlp([2, 32, 32, 1], { activation: 'tanh', seed: 0 });
  const logit = x.pipe(standardize(new StandardScaler()), net);
  const loss = bceWithLogits(logit, y);
  const optimizer = adam({ lr: 0.01 });
  const scheduler = cosineAnnealingLR(optimizer, { tMax: steps, etaMin: 0.0005 });

  log(`rxgrad demo: an MLP 2-32-32-1 learns two interleaved spirals (${TURNS} turns each) from an endless stream,`);
  log(`one point per tick, predicting each point before learning from it. ${steps.toLocaleString('en-US')} points, Adam, cosine-annealed lr.\n`);

  const losses = new Float64Array(WINDOW);
  let lossSum = 0;
  const bar = mode === 'bar'
    ? new cliProgress.SingleBar({
      stream: process.stdout,
      format: ' {bar} {value}/{total} points | loss {loss} | rolling accuracy {accuracy} | {rate}/s | ETA {eta}s',
      barCompleteChar: '█', barIncompleteChar: '░', barsize: 24, hideCursor: true, fps: 10,
    })
    : null;
  bar?.start(steps, 0, { loss: '-', accuracy: '-', rate: '-' });
  const every = Math.max(1, Math.floor(steps / 10));
  const started = performance.now();

  const last = await lastValueFrom(
    from(spirals(2024)).pipe(
      take(steps),
      learn({
        inputs: [x, y], feed: (s) => [s.x, [s.y]], loss, optimizer, scheduler,
        prediction: logit.pipe(sigmoid()), target: (s) => s.y,
        metrics: { rolling: rolling(accuracy(), WINDOW), overall: accuracy() },
      }),
      tap((step) => {
        const slot = step.tick % WINDOW;
        lossSum += step.loss - losses[slot]!;
        losses[slot] = step.loss;
        const n = step.tick + 1;
        if (bar !== null && (n % 100 === 0 || n === steps)) {
          const rate = n / ((performance.now() - started) / 1000);
          bar.update(n, { loss: (lossSum / Math.min(n, WINDOW)).toFixed(4), accuracy: step.metrics.rolling!.toFixed(3), rate: Math.round(rate) });
        } else if (bar === null && (n % every === 0)) {
          const seconds = (performance.now() - started) / 1000;
          log(`${String(n).padStart(7)} points   loss ${(lossSum / Math.min(n, WINDOW)).toFixed(4)}   rolling accuracy ${step.metrics.rolling!.toFixed(3)}   ${Math.round(n / seconds)} points/s`);
        }
      }),
    ),
  );
  bar?.stop();

  const seconds = (performance.now() - started) / 1000;
  const samples = last.tick + 1;
  const result: DemoResult = {
    samples, seconds, samplesPerSecond: samples / seconds,
    rollingAccuracy: last.metrics.rolling!, rollingLoss: lossSum / Math.min(samples, WINDOW), accuracy: last.metrics.overall!,
  };

  log('\nWhat the network now believes, over the disc the spirals fill (# = arm 1, · = arm 0):\n');
  for (const line of picture((px, py) => runSync(logit, { feed: [[x, [px, py]]] }).value.item() > 0)) log(`  ${line}`);
  log('');
  log(`samples              ${samples.toLocaleString('en-US')}`);
  log(`time                 ${seconds.toFixed(1)} s  (${Math.round(result.samplesPerSecond).toLocaleString('en-US')} samples/s, one optimizer step per sample)`);
  log(`rolling accuracy     ${result.rollingAccuracy.toFixed(3)}  (last ${WINDOW} predictions, each made before learning from its point)`);
  log(`rolling loss         ${result.rollingLoss.toFixed(4)}  (binary cross-entropy, last ${WINDOW})`);
  log(`accuracy, all along  ${result.accuracy.toFixed(3)}  (from the first random guesses on)`);
  return result;
}

/** A character map of a decision function over the disc the spirals fill (two columns per row, for square cells). */
function picture(isArmOne: (x: number, y: number) => boolean, rows = 25): string[] {
  const cols = 2 * rows, lines: string[] = [];
  for (let r = 0; r < rows; r++) {
    let line = '';
    const py = 1.05 - (2.1 * (r + 0.5)) / rows;
    for (let c = 0; c < cols; c++) {
      const px = -1.05 + (2.1 * (c + 0.5)) / cols;
      line += Math.hypot(px, py) > 1.05 ? ' ' : isArmOne(px, py) ? '#' : '·';
    }
    lines.push(line.trimEnd());
  }
  return lines;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const result = await main();
  if (result.rollingAccuracy < 0.95) {
    console.error(`\nThe model did not learn the spirals: rolling accuracy ${result.rollingAccuracy.toFixed(3)} < 0.95`);
    process.exitCode = 1;
  } else {
    console.log('\nLearned: rolling accuracy ≥ 0.95.');
  }
}
