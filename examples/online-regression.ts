/**
 * Online regression on an endless stream: an electricity-demand-like signal (megawatts) that depends
 * nonlinearly on the hour of the day and the temperature, plus noise. The stream never ends; `take`
 * stops it.
 *
 * The raw features and the target are in very different units, so both are standardised online:
 * `standardize(xScaler)` on the features, and the network learns the standardised target while its
 * prediction comes back in megawatts through `unstandardize(yScaler)`. Inside `learn` the scalers
 * update from every sample (predictions use the statistics from before it: prequential). The
 * rolling MAE, in megawatts, is reported live.
 *
 *   npx tsx examples/online-regression.ts
 */
import { pathToFileURL } from 'node:url';
import { from, lastValueFrom, take, tap } from 'rxjs';
import { Rng, StandardScaler, adam, input, learn, mae, mlp, mse, rolling, standardize, unstandardize } from '../src/index.js';

/** The noise of the stream (MW); no model can beat its MAE, σ·√(2/π). */
const NOISE = 8;

/** Demand in MW for an hour of the day (0–24) and a temperature (°C): a daily cycle and heating/cooling. */
function demand(hour: number, celsius: number): number {
  const daily = 120 * Math.sin((2 * Math.PI * (hour - 8)) / 24) + 40 * Math.sin((4 * Math.PI * hour) / 24);
  const comfort = 0.6 * (celsius - 18) ** 2;
  return 900 + daily + comfort;
}

/** An endless, seeded stream of noisy readings. */
function* readings(seed: number) {
  const rng = new Rng(seed);
  for (;;) {
    const hour = 24 * rng.uniform(), celsius = -10 + 45 * rng.uniform();
    yield { x: [hour, celsius], y: demand(hour, celsius) + NOISE * rng.normal() };
  }
}

export interface RegressionResult {
  steps: number;
  /** MAE of the last 1000 predictions, in MW (each made before learning from its sample). */
  rollingMae: number;
  /** The MAE of always predicting the mean, for scale (the target's spread). */
  baselineMae: number;
  /** The best possible MAE: the noise's, σ·√(2/π). */
  noiseMae: number;
}

export async function main({ steps = 40_000, log = console.log }: { steps?: number; log?: (line: string) => void } = {}): Promise<RegressionResult> {
  const xScaler = new StandardScaler(), yScaler = new StandardScaler();
  const x = input([2]), y = input([1]);
  const net = mlp([2, 32, 1], { activation: 'tanh', seed: 3 });
  const out = x.pipe(standardize(xScaler), net);
  const loss = mse(out, y.pipe(standardize(yScaler)));
  const prediction = out.pipe(unstandardize(yScaler));

  // The mean predictor, scored on the same stream, says how much the network has learned.
  let n = 0, mean = 0;
  const baseline = rolling(mae(), 1000);
  const every = Math.max(1, Math.floor(steps / 10));
  const last = await lastValueFrom(
    from(readings(7)).pipe(
      take(steps),
      tap((s) => {
        baseline.update(s.y, mean);
        mean += (s.y - mean) / ++n;
      }),
      learn({
        inputs: [x, y], feed: (s) => [s.x, [s.y]], loss, optimizer: adam({ lr: 0.005 }),
        prediction, target: (s) => s.y, metrics: { mae: rolling(mae(), 1000) },
      }),
      tap((step) => {
        if ((step.tick + 1) % every === 0) {
          log(`sample ${String(step.tick + 1).padStart(6)}   rolling MAE ${step.metrics.mae!.toFixed(2).padStart(7)} MW   (mean predictor ${baseline.get().toFixed(2)} MW)`);
        }
      }),
    ),
  );
  const result = { steps: last.tick + 1, rollingMae: last.metrics.mae!, baselineMae: baseline.get(), noiseMae: NOISE * Math.sqrt(2 / Math.PI) };
  log(`\nafter ${result.steps} samples: rolling MAE ${result.rollingMae.toFixed(2)} MW; mean predictor ${result.baselineMae.toFixed(2)} MW; noise floor ${result.noiseMae.toFixed(2)} MW`);
  return result;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const result = await main();
  if (!(result.rollingMae < 2 * result.noiseMae)) {
    console.error(`the model did not learn: rolling MAE ${result.rollingMae} MW, more than twice the noise floor ${result.noiseMae} MW`);
    process.exitCode = 1;
  }
}
