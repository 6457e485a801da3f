/**
 * Real streams: prequential evaluation (predict, score, then learn, one optimizer step per sample,
 * rows in file order, one pass) on the three River data sets in ../shared/data, read in place.
 *
 *   npm run bench:stream        (prints a table; writes bench/results/streams.json)
 *
 * For each stream it shows River's published scores (REFERENCE §4.6 / shared/data/README.md: the
 * linear model, River's best model, River's MLP), rxgrad's rebuild of River's linear model (which
 * must give River's digits) and rxgrad's default MLP (DEFAULT_MLP in bench/stream-models.ts), with
 * the time per sample of learn() (predict + score + learn; the CSV is read before timing; the
 * fastest of 4 identical runs, after one untimed run of every model on every stream).
 *
 * The default MLP — one options object for all three streams:
 *   StandardScaler (River semantics) → soft clip 0.25·tanh(x/0.25) → Linear(k, 64) → tanh →
 *   Linear(64, 1); nn.Linear's default init, seed 0; RMSprop lr 0.005 (α 0.99, eps 1e-8);
 *   Phishing: bceWithLogits; regression: target standardised by a running scaler, Huber δ = 1 in
 *   that scale, predictions unstandardised.
 *
 * Targets (River's best published model per stream): Phishing accuracy > 0.913531 (Streaming
 * Random Patches), TrumpApproval MAE < 0.268533 (Aggregated Mondrian Forest), ChickWeights MAE <
 * 23.1143 (Bagging). The default beats the two regression targets with room to spare and misses
 * Phishing by 0.0031 (1138 of 1250 right; 1142 needed). No configuration found beats all three.
 *
 * The search (npx tsx bench/stream-search.ts '<json overrides>'; every row seed 0, one pass, same
 * options for all three streams; P = Phishing accuracy, T = TrumpApproval MAE, C = ChickWeights MAE;
 * "clip c" = soft clip c·tanh(x/c) after the scaler; loss = regression loss; y-scaled unless noted):
 *
 * | # | configuration                                              |    P   |    T   |    C    |
 * |---|------------------------------------------------------------|--------|--------|---------|
 * | 1 | [5] relu, SGD 1e-3, MSE (River MLPRegressor's shape)       | 0.6344 | 0.9689 | 23.630  |
 * | 2 | [16] relu, Adam 0.01, MSE                                  | 0.8960 | 0.5800 | 22.617  |
 * | 3 | [16] relu, SGD 0.03, MSE                                   | 0.8896 | 0.2659 | 22.677  |
 * | 4 | [32] relu, SGD 0.03, MSE                                   | 0.8992 | 0.2581 | 23.033  |
 * | 5 | [32] tanh, SGD 0.03, MSE                                   | 0.8992 | 0.2441 | 24.665  |
 * | 6 | [32] gelu, SGD 0.03, MSE                                   | 0.8984 | 0.2728 | 24.550  |
 * | 7 | [32,32] relu, SGD 0.03, MSE                                | 0.8912 | 0.2558 | 23.007  |
 * | 8 | #4 with Huber δ 1                                          | 0.8992 | 0.2752 | 23.304  |
 * | 9 | #4 with L1                                                 | 0.8992 | 0.3369 | 23.549  |
 * |10 | [128] relu, Adam 3e-3, MSE                                 | 0.8912 | 0.6009 | 21.873  |
 * |11 | [32] relu, Adagrad 0.1, MSE                                | 0.9016 | 0.3271 | 22.131  |
 * |12 | #4, predict with an EMA of the weights (α 0.1)             | 0.8936 | 0.4544 | 22.511  |
 * |13 | #4, ensemble of 5 seeds, predictions averaged              | 0.8952 | 0.2594 | 23.184  |
 * |14 | [32] relu, SGD 0.1 decayed lr/√(1 + t/100), MSE            | 0.9016 | 0.3124 | 23.080  |
 * |15 | #4 plus a linear skip layer (wide and deep)                | 0.8928 | 0.3018 | 24.840  |
 * |16 | #4 with clip 1                                             | 0.9040 | 0.2700 | 23.221  |
 * |17 | [32] relu, Adagrad 0.1, clip 0.25, MSE                     | 0.9112 | 0.3627 | 21.959  |
 * |18 | [64] relu, RMSprop 0.01, clip 0.5, MSE                     | 0.9096 | 0.2436 | 22.526  |
 * |19 | [64] tanh, RMSprop 5e-3, clip 0.25, MSE                    | 0.9104 | 0.2519 | 22.320  |
 * |20 | **default** = #19 with Huber δ 1                           | 0.9104 | 0.2447 | 22.242  |
 * |21 | default with L1                                            | 0.9104 | 0.3022 | 22.356  |
 * |22 | default, target not standardised                           | 0.9104 | 1.2676 | 32.955  |
 * |23 | default without the soft clip                              | 0.8944 | 0.2607 | 22.535  |
 * |24 | default with [96]                                          | 0.9064 | 0.2279 | 22.463  |
 * |25 | default with [32]                                          | 0.9120 | 0.2830 | 21.997  |
 * |26 | default with relu                                          | 0.9096 | 0.2745 | 21.998  |
 * |27 | default with Adam 5e-3                                     | 0.9040 | 0.6157 | 22.084  |
 * |28 | default with SGD 0.03                                      | 0.8760 | 0.3727 | 22.396  |
 * |29 | default with lr 0.01                                       | 0.9072 | 0.2396 | 22.693  |
 * |30 | default with soft thermometer code tanh((x ∓ 0.5)/0.25)    | 0.9120 | 0.2542 | 22.516  |
 * |31 | #30 with a third knot at 0                                 | 0.9064 | 0.2541 | 22.523  |
 *
 * Seeds 1–5 of the default: P 0.9112 0.9112 0.9088 0.9088 0.9104, T 0.2428 0.2498 0.2519 0.2435
 * 0.2401, C 22.233 22.287 22.271 22.270 22.241 — the default's standing does not hang on its seed.
 * Row 30 averages 0.9135 over seeds 0–5 (0.9120–0.9160; 3 of 6 seeds pass 0.913531), but it was
 * rejected: its gain is Phishing's alone, it vanishes with one more knot (#31), and its knots at
 * ±0.5σ happen to separate Phishing's three feature levels {0, 0.5, 1} — per-dataset tuning in
 * disguise. Picking a seed that passes would be the same thing.
 *
 * Before these rows, a numpy re-implementation of the same semantics (River's scaler, nn.Linear's
 * init, PyTorch's SGD/Adam/Adagrad/RMSprop, the same losses) screened about 500 configurations with
 * 3–6 seeds each (widths 8–128, one or two layers, relu/tanh/elu, lr, clip 0.1–1, RMSprop α and
 * momentum, Adam β = (0, 0.99), zero-initialised output layer, ensembles of 5): no mean over seeds
 * reached Phishing 0.9135 without the thermometer code; the best means were 0.910–0.912. Its findings,
 * checked above in rxgrad: Phishing plateaus near 0.90 for every plain MLP (#4's accuracy per block
 * of 125 rows is 0.79, 0.87, then 0.88–0.96: the early rows cost the most); bounding the
 * standardised inputs (soft clip) is what lifts it to 0.91 (a running scaler maps a binary value
 * seen for the first time after n equal ones to about √n); TrumpApproval needs steps that neither
 * shrink nor stay large when the error is small (Adam ≈ 0.6, Adagrad ≈ 0.33, SGD and RMSprop ≈ 0.25);
 * ChickWeights prefers adaptive steps and a target in standard units.
 * Why the default: it is the best Phishing score among the configurations that beat River's best
 * on both regression streams (leaving out the rejected #30), with margins (T 0.245 vs 0.2685, C 22.24 vs 23.11) that hold for every
 * seed tried. Huber (δ = 1σ, PyTorch's default δ) beat MSE on both regression streams for each of
 * seeds 0–5 (T 0.240–0.252 vs 0.248–0.262, C 22.23–22.29 vs 22.32–22.39), and L1 (#21).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import type { Sample } from '../src/index.js';
import { join } from 'node:path';
import { REPO_ROOT } from './paths.js';
import {
  DATA_DIR, DEFAULT_MLP, type RunResult, STREAMS, type StreamSpec, type Wired, dataPresent, loadSamples, mlpModel, prequential, riverLinear,
} from './stream-models.js';

interface Row {
  stream: string;
  metric: 'accuracy' | 'mae';
  samples: number;
  river: { linear: number; best: { model: string; score: number }; mlp: number | null; mlpNote: string };
  rxgradLinear: { lr: number; score: number; ms: number }[];
  rxgradMlp: { score: number; f1OrRmse: number; ms: number; beatsRiverBest: boolean };
}

function better(stream: StreamSpec, a: number, b: number): boolean {
  return stream.metric === 'accuracy' ? a > b : a < b;
}

/**
 * Runs a freshly built model REPEATS times (every run gives the same scores: same seed, same
 * order) and keeps the fastest time, so JIT warm-up and other processes on the machine do not
 * count. The first run of a new graph shape is mostly warm-up.
 */
const REPEATS = 4;
async function timed(stream: StreamSpec, build: () => Wired, samples: readonly Sample[]): Promise<RunResult> {
  let best: RunResult | null = null;
  for (let i = 0; i < REPEATS; i++) {
    const r = await prequential(stream, build(), samples);
    if (best !== null && JSON.stringify(r.metrics) !== JSON.stringify(best.metrics)) throw new Error(`${stream.name}: a rerun gave different scores`);
    if (best === null || r.ms < best.ms) best = r;
  }
  return best!;
}

async function main(): Promise<void> {
  if (!dataPresent()) {
    console.log(`bench:stream: the data folder ${DATA_DIR} is absent (it holds phishing.csv, trump_approval.csv, chick-weights.csv); nothing to run.`);
    return;
  }
  // One untimed pass of each model on each stream first: otherwise the first timings of a kind of
  // model are mostly the JIT compiling rxgrad's code for it (Phishing's linear model, timed first,
  // showed 10 µs/sample where ChickWeights', timed last, showed 1).
  for (const stream of STREAMS) {
    const samples = await loadSamples(stream);
    await prequential(stream, riverLinear(stream), samples);
    await prequential(stream, mlpModel(stream, DEFAULT_MLP), samples);
  }
  const rows: Row[] = [];
  for (const stream of STREAMS) {
    const samples = await loadSamples(stream);
    const lrs = stream.task === 'binary' ? [0.005, 0.01] : [0.01];
    const linear = [];
    for (const lr of lrs) {
      const r = await timed(stream, () => riverLinear(stream, lr), samples);
      linear.push({ lr, score: r.metrics[stream.metric]!, ms: r.ms });
    }
    const m = await timed(stream, () => mlpModel(stream, DEFAULT_MLP), samples);
    const score = m.metrics[stream.metric]!;
    rows.push({
      stream: stream.name, metric: stream.metric, samples: m.samples,
      river: { ...stream.river, best: { ...stream.river.best } },
      rxgradLinear: linear,
      rxgradMlp: { score, f1OrRmse: m.metrics[stream.task === 'binary' ? 'f1' : 'rmse']!, ms: m.ms, beatsRiverBest: better(stream, score, stream.river.best.score) },
    });
  }

  // Six significant digits, as River's tables print them (trailing zeros dropped: 0.8872, 0.913531).
  const fmt = (_metric: string, v: number): string => String(Number(v.toPrecision(6)));
  const header = ['stream', 'metric', 'River linear', 'River best (model)', 'River MLP', 'rxgrad linear', 'rxgrad MLP', 'vs best', 'µs/sample lin', 'µs/sample MLP'];
  const table = rows.map((r) => [
    r.stream, r.metric, fmt(r.metric, r.river.linear), `${fmt(r.metric, r.river.best.score)} (${r.river.best.model})`,
    r.river.mlp === null ? '—' : `${fmt(r.metric, r.river.mlp)} (${r.river.mlpNote})`,
    r.rxgradLinear.map((l) => `${fmt(r.metric, l.score)} (lr ${l.lr})`).join(', '), fmt(r.metric, r.rxgradMlp.score),
    `${r.rxgradMlp.beatsRiverBest ? 'beats' : 'misses'} by ${Math.abs(r.rxgradMlp.score - r.river.best.score).toFixed(4)}`,
    ((r.rxgradLinear[0]!.ms * 1000) / r.samples).toFixed(0), ((r.rxgradMlp.ms * 1000) / r.samples).toFixed(0),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i]!.length)));
  const line = (cells: string[]): string => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  console.log(`Prequential scores, one pass in file order. Default MLP: ${JSON.stringify(DEFAULT_MLP)}`);
  console.log(line(header));
  console.log(line(widths.map((w) => '-'.repeat(w))));
  for (const row of table) console.log(line(row));
  const phishing = rows.find((r) => r.stream === 'Phishing');
  if (phishing) console.log(`Default MLP on Phishing: ${((phishing.samples * 1000) / phishing.rxgradMlp.ms).toFixed(0)} samples/s (predict + score + learn).`);

  const dir = join(REPO_ROOT, 'bench', 'results') + '/';
  mkdirSync(dir, { recursive: true });
  const file = `${dir}streams.json`;
  writeFileSync(file, `${JSON.stringify({ date: new Date().toISOString(), node: process.version, defaultMlp: DEFAULT_MLP, streams: rows }, null, 2)}\n`);
  console.log(`Wrote ${file}`);
}

await main();
