/**
 * The models of the streaming benchmark (bench/streams.ts), built only from rxgrad's public API:
 * River's linear models (the parity reproduction) and one MLP configuration applied unchanged to
 * every stream. Shared by the benchmark script and spec/bench/streams.spec.ts.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { from, lastValueFrom, toArray } from 'rxjs';
import {
  type Node, type Optimizer, type Param, type Sample, type StepMetric, StandardScaler, Tensor, accuracy, adagrad, adam, adamW, add, bceWithLogits, concat,
  elu, f1, gelu, huber, input, l1, leakyRelu, learn, linear, mae, matmul, mlp, mse, mul, param, readCsv, relu, rmse, rmsprop, sgd, sigmoid, standardize, sub,
  tabular, tanh, tensor, unstandardize, zeros,
} from '../src/index.js';
import { REPO_ROOT } from './paths.js';

/**
 * ../shared/data relative to the repository root (read in place, never copied). The environment
 * variable RXGRAD_STREAM_DATA overrides it (the spec uses it to check the message for a missing folder).
 */
export const DATA_DIR = process.env['RXGRAD_STREAM_DATA'] ?? join(REPO_ROOT, '..', 'shared', 'data');

export function dataPresent(): boolean {
  return existsSync(DATA_DIR);
}

export interface StreamSpec {
  readonly name: string;
  readonly file: string;
  readonly features: readonly string[];
  readonly target: string;
  readonly task: 'binary' | 'regression';
  /** The headline metric and whether higher is better. */
  readonly metric: 'accuracy' | 'mae';
  /** River's published scores of the headline metric (REFERENCE §4.6, shared/data/README.md). */
  readonly river: { readonly linear: number; readonly best: { readonly model: string; readonly score: number }; readonly mlp: number | null; readonly mlpNote: string };
}

export const STREAMS: readonly StreamSpec[] = [
  {
    name: 'Phishing',
    file: 'phishing.csv',
    features: ['empty_server_form_handler', 'popup_window', 'https', 'request_from_other_domain', 'anchor_from_other_domain', 'is_popular', 'long_url', 'age_of_domain', 'ip_in_url'],
    target: 'is_phishing',
    task: 'binary',
    metric: 'accuracy',
    // River's binary benchmark has no MLP; deep-river's "Torch MLP" is the nearest published one.
    river: { linear: 0.8872, best: { model: 'Streaming Random Patches', score: 0.913531 }, mlp: 0.4568, mlpNote: 'deep-river Torch MLP' },
  },
  {
    name: 'TrumpApproval',
    file: 'trump_approval.csv',
    features: ['ordinal_date', 'gallup', 'ipsos', 'morning_consult', 'rasmussen', 'you_gov'],
    target: 'five_thirty_eight',
    task: 'regression',
    metric: 'mae',
    river: { linear: 1.31455, best: { model: 'Aggregated Mondrian Forest', score: 0.268533 }, mlp: 1.58058, mlpNote: 'River MLPRegressor' },
  },
  {
    name: 'ChickWeights',
    file: 'chick-weights.csv',
    features: ['time', 'chick', 'diet'],
    target: 'weight',
    task: 'regression',
    metric: 'mae',
    river: { linear: 23.7587, best: { model: 'Bagging', score: 23.1143 }, mlp: 51.4078, mlpNote: 'River MLPRegressor' },
  },
];

export function streamByName(name: string): StreamSpec {
  const s = STREAMS.find((t) => t.name === name);
  if (s === undefined) throw new RangeError(`no stream named ${name}`);
  return s;
}

/** A model wired for learn(): the graph's nodes plus its optimizer. */
export interface Wired {
  x: Node;
  y: Node;
  loss: Node | Node[];
  prediction: Node;
  optimizer: Optimizer<never> | Optimizer;
  scheduler?: { step(): void };
}

export interface RunResult {
  /** Final prequential metric values (accuracy and f1, or mae and rmse). */
  metrics: Record<string, number>;
  samples: number;
  /** Wall time of learn() over the samples (predict, score, learn; the CSV is read beforehand). */
  ms: number;
}

/** The stream's rows as samples, in file order (read with readCsv, in place). */
export async function loadSamples(stream: StreamSpec): Promise<Sample[]> {
  const rows = tabular(readCsv(join(DATA_DIR, stream.file), { columns: true, numeric: true }), { features: stream.features, target: stream.target });
  return lastValueFrom(rows.pipe(toArray()));
}

/**
 * Prequential evaluation with learn(): for each sample in file order, predict (scalers with their
 * statistics from before the sample), score, then learn — one optimizer step per sample.
 */
export async function prequential(stream: StreamSpec, model: Wired, samples?: readonly Sample[]): Promise<RunResult> {
  const data = samples ?? (await loadSamples(stream));
  const metrics: Record<string, StepMetric> = stream.task === 'binary' ? { accuracy: accuracy(), f1: f1() } : { mae: mae(), rmse: rmse() };
  const t0 = performance.now();
  const last = await lastValueFrom(
    from(data).pipe(
      learn({
        // NOTE: tensor(s.x) because a Float64Array is not a `Feedable` to the type checker (learn() accepts it at run time).
        inputs: [model.x, model.y], feed: (s) => [tensor(s.x), [s.y]], loss: model.loss, optimizer: model.optimizer, scheduler: model.scheduler,
        prediction: model.prediction, target: (s) => s.y, metrics,
      }),
    ),
  );
  return { metrics: { ...last.metrics }, samples: last.tick + 1, ms: performance.now() - t0 };
}

/**
 * River's `StandardScaler | LogisticRegression(SGD(lr))` or `StandardScaler | LinearRegression()`:
 * zero-initialised weights, plain SGD, intercept lr 0.01; River's squared-loss gradient 2(ŷ − y) is
 * mse with reduction 'sum' on one sample.
 */
export function riverLinear(stream: StreamSpec, lr = stream.task === 'binary' ? 0.005 : 0.01): Wired {
  const x = input([stream.features.length]), y = input([1]);
  const w = param(zeros([stream.features.length, 1]), { name: 'w' }), b = param(zeros([1]), { name: 'b' });
  const z = x.pipe(standardize(new StandardScaler()), matmul(w), add(b));
  const optimizer = sgd({ lr, groups: [{ params: [b], lr: 0.01 }] });
  if (stream.task === 'binary') return { x, y, loss: bceWithLogits(z, y), prediction: z.pipe(sigmoid()), optimizer };
  return { x, y, loss: mse(z, y, { reduction: 'sum' }), prediction: z, optimizer };
}

/** One MLP configuration, applied unchanged to every stream (only the input width differs). */
export interface MlpConfig {
  /** Hidden layer widths. */
  hidden: readonly number[];
  activation: 'relu' | 'tanh' | 'gelu' | 'elu' | 'leakyRelu';
  optimizer: 'sgd' | 'adam' | 'adamW' | 'rmsprop' | 'adagrad';
  lr: number;
  /** Extra optimizer options (e.g. betas, momentum, weightDecay). */
  optimizerOptions?: Record<string, unknown>;
  /** Seed of the network's initialisation (nn.Linear's default init). */
  seed: number;
  /** Standardise the features with a running StandardScaler (River's semantics). */
  scaleFeatures: boolean;
  /** Regression: standardise the target with a running scaler, learn in that scale, unstandardise predictions. */
  scaleTarget: boolean;
  /** Regression loss on one sample (in the target's scale chosen above); classification is always bceWithLogits. */
  regressionLoss: 'mse' | 'huber' | 'l1';
  /** Huber's δ (in standardised units when scaleTarget). */
  huberDelta?: number;
  /** Predict with an exponential moving average of the weights, rate α (Polyak averaging); default: the trained weights. */
  average?: number;
  /** Decay the learning rate: lr/(1 + t/τ)^power after t steps (default constant). */
  decay?: { tau: number; power: number };
  /** Add a linear layer from the (scaled) features straight to the output ("wide and deep"). */
  skip?: boolean;
  /** Squash the (scaled) features with c·tanh(x/c), so no input exceeds ±c (default: no squashing). */
  softClip?: number;
  /** Replace each (scaled) feature by tanh((x − t)/width) for each knot t (a soft thermometer code). */
  knots?: { at: readonly number[]; width: number };
  /** Train this many MLPs (seeds seed, seed+1, …) side by side and average their predictions (default 1). */
  ensemble?: number;
}

function activationOf(a: MlpConfig['activation']): (x: Node) => Node {
  switch (a) {
    case 'relu': return (h) => h.pipe(relu());
    case 'tanh': return (h) => h.pipe(tanh());
    case 'gelu': return (h) => h.pipe(gelu());
    case 'elu': return (h) => h.pipe(elu());
    case 'leakyRelu': return (h) => h.pipe(leakyRelu());
  }
}

function optimizerOf(c: MlpConfig): Optimizer<never> | Optimizer {
  const o = { lr: c.lr, ...(c.optimizerOptions ?? {}) };
  switch (c.optimizer) {
    case 'sgd': return sgd(o);
    case 'adam': return adam(o);
    case 'adamW': return adamW(o);
    case 'rmsprop': return rmsprop(o);
    case 'adagrad': return adagrad(o);
  }
}

/**
 * Polyak–Ruppert averaging as an exponential moving average: after every optimizer step,
 * avg ← avg + α(θ − avg) for each trained parameter θ and its shadow copy. Passed to learn() as its
 * `scheduler`, the only per-step hook learn() offers (it is stepped right after each optimizer step).
 */
function emaHook(pairs: readonly (readonly [Param, Param])[], alpha: number): { step(): void } {
  return {
    step() {
      for (const [theta, avg] of pairs) {
        const t = theta.value.data, a = avg.value.data, out = new Float64Array(a.length);
        for (let i = 0; i < a.length; i++) out[i] = a[i]! + alpha * (t[i]! - a[i]!);
        avg.assign(new Tensor(out, avg.value.shape));
      }
    },
  };
}

/** lr_t = lr/(1 + t/τ)^power after t steps. */
function decayHook(optimizer: Optimizer<never> | Optimizer, lr: number, d: { tau: number; power: number }): { step(): void } {
  let t = 0;
  return {
    step() {
      t++;
      for (const g of optimizer.groups) (g.options as { lr: number }).lr = lr / (1 + t / d.tau) ** d.power;
    },
  };
}

/** The MLP of `config` for one stream: logits for classification, the target's units for regression. */
export function mlpModel(stream: StreamSpec, c: MlpConfig): Wired {
  const k = stream.features.length;
  const x = input([k]), y = input([1]);
  let features = c.scaleFeatures ? x.pipe(standardize(new StandardScaler())) : x;
  // A soft clip c·tanh(x/c) bounds the huge standardised values of rare features (0 or null: none).
  if (c.softClip) features = features.pipe(mul(1 / c.softClip), tanh(), mul(c.softClip));
  // Soft thermometer encoding: one tanh((x − knot)/width) per knot and feature.
  let width = k;
  if (c.knots) {
    const scaled = features, w = c.knots.width;
    features = concat(c.knots.at.map((t) => scaled.pipe(sub(t), mul(1 / w), tanh())), { axis: -1 });
    width = k * c.knots.at.length;
  }
  const members = c.ensemble ?? 1;
  const nets = Array.from({ length: members }, (_, m) => mlp([width, ...c.hidden, 1], { activation: activationOf(c.activation), seed: c.seed + m, name: `m${m}` }));
  const skips = c.skip ? nets.map((_, m) => linear(width, 1, { seed: c.seed + 1000 + m, name: `skip${m}` })) : [];
  const outs = nets.map((net, m) => (c.skip ? add(features.pipe(net), features.pipe(skips[m]!)) : features.pipe(net)));
  // The nets that predict: the trained ones, or their weight averages.
  let predictOuts = outs;
  let hook: { step(): void } | undefined;
  if (c.average !== undefined) {
    if (c.skip) throw new RangeError('mlpModel: average with skip is not supported');
    // Same seeds, so each shadow starts equal to its net.
    const shadows = nets.map((_, m) => mlp([width, ...c.hidden, 1], { activation: activationOf(c.activation), seed: c.seed + m, name: `avg${m}` }));
    const pairs = nets.flatMap((net, m) => net.params.map((p, i) => [p, shadows[m]!.params[i]!] as const));
    for (const [, avg] of pairs) avg.trainable = false;
    hook = emaHook(pairs, c.average);
    predictOuts = shadows.map((net) => features.pipe(net));
  }
  const mean = (nodes: Node[]): Node => (nodes.length === 1 ? nodes[0]! : nodes.reduce((a, b) => add(a, b)).pipe(mul(1 / nodes.length)));
  const optimizer = optimizerOf(c);
  const hooks = [hook, c.decay === undefined ? undefined : decayHook(optimizer, c.lr, c.decay)].filter((h) => h !== undefined);
  const wrap = (w: Omit<Wired, 'scheduler'>): Wired => (hooks.length === 0 ? w : { ...w, scheduler: { step: () => hooks.forEach((h) => h.step()) } });
  if (stream.task === 'binary') {
    const losses = outs.map((o) => bceWithLogits(o, y));
    return wrap({ x, y, loss: losses.length === 1 ? losses[0]! : losses, prediction: mean(predictOuts.map((o) => o.pipe(sigmoid()))), optimizer });
  }
  let target: Node = y;
  let unscale = (n: Node): Node => n;
  if (c.scaleTarget) {
    const yScaler = new StandardScaler();
    target = y.pipe(standardize(yScaler));
    unscale = (n) => n.pipe(unstandardize(yScaler));
  }
  const lossOf = (o: Node): Node =>
    c.regressionLoss === 'mse' ? mse(o, target) : c.regressionLoss === 'l1' ? l1(o, target) : huber(o, target, { delta: c.huberDelta ?? 1 });
  const losses = outs.map(lossOf);
  return wrap({ x, y, loss: losses.length === 1 ? losses[0]! : losses, prediction: unscale(mean(predictOuts)), optimizer });
}

/**
 * The default MLP: one configuration for every stream, chosen by the search recorded in
 * bench/streams.ts. Features: running StandardScaler, then a soft clip 0.25·tanh(x/0.25); one
 * hidden layer of 64 tanh units (nn.Linear's default init, seed 0); RMSprop lr 0.005 (PyTorch's
 * defaults otherwise: α 0.99, eps 1e-8, no momentum); bceWithLogits for a binary target; for
 * regression the target is standardised by a running scaler, learned with Huber (δ = 1, in
 * standard deviations) in that scale, and predictions are mapped back to the target's units.
 */
export const DEFAULT_MLP: MlpConfig = {
  hidden: [64], activation: 'tanh', optimizer: 'rmsprop', lr: 0.005, seed: 0,
  scaleFeatures: true, softClip: 0.25, scaleTarget: true, regressionLoss: 'huber', huberDelta: 1,
};

/** Runs `config` on every stream; the headline score of each. */
export async function scoreConfig(c: MlpConfig, samples?: Readonly<Record<string, readonly Sample[]>>): Promise<Record<string, RunResult>> {
  const out: Record<string, RunResult> = {};
  for (const s of STREAMS) out[s.name] = await prequential(s, mlpModel(s, c), samples?.[s.name]);
  return out;
}
