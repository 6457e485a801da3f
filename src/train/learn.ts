/**
 * `learn`: streaming online training as an RxJS operator. Each sample (or mini-batch) of the source
 * becomes one tick: forward, backward, optimizer step, then one {@link Step} record downstream.
 * The update from tick t is applied before tick t+1's forward pass reads the parameters — exactly a
 * PyTorch training loop — and metrics are prequential: they score the prediction made before the
 * model learned from the sample ("test, then train").
 */
import { Observable, type OperatorFunction } from 'rxjs';
import { type Tensor, kernels } from '../index-core.js';
import { asInput } from '../graph/feed-value.js';
import { Execution, type TickRecord } from '../graph/execution.js';
import { type Feedable, type Frame, GraphError, type Node, type Param, type TrainSpec, isFrame } from '../graph/index.js';
import { Program } from '../graph/program.js';
import { lossSpecs, matchFeeds } from '../graph/stream.js';
import type { Optimizer } from './optimizer.js';
import { type DataStep, findDataSteps } from './data-step.js';
import { type Checkpoint, type CheckpointParts, snapshot } from './checkpoint.js';

/** What `learn` needs of a metric (see `rxgrad`'s metrics: accuracy, f1, logLoss, rocAuc, mae, rmse, r2). */
export interface StepMetric {
  update(yTrue: number, yPred: number | ArrayLike<number>): void;
  get(): number;
}

/** What `learn` needs of a learning-rate scheduler: stepped once after each optimizer step. */
export interface StepScheduler {
  step(): void;
}

/** A transform of one optimizer step's gradients (aligned with the parameters), e.g. clipping. */
export type GradientTransform = (grads: readonly (Tensor | null)[], params: readonly Param[]) => readonly (Tensor | null)[];

export interface LearnOptions<S, M extends Record<string, StepMetric> = Record<string, StepMetric>> {
  /** The model's input nodes, in the order `feed` returns their values (features and targets alike). */
  inputs: readonly Node[];
  /** One value per input from a sample: tensors, numbers or nested arrays. */
  feed: (sample: S) => readonly Feedable[];
  /** The loss to minimise, or several (optionally weighted) whose gradients add. */
  loss: Node | readonly TrainSpec[];
  /** Updates the trainable parameters the losses depend on. */
  optimizer: Optimizer<never> | Optimizer;
  /** Stepped after every optimizer step. */
  scheduler?: StepScheduler;
  /**
   * The node whose value is the model's prediction: reported on each step and scored by `metrics`.
   * With a data step (`standardize`), the prediction comes from a pass of its own, made with the
   * statistics from before the sample; the nodes' faces (`node.subscribe`) show the training pass,
   * made with the statistics after it, so each node still emits once per tick.
   */
  prediction?: Node;
  /**
   * The true value(s) of a sample for the metrics: a number, or one number per row for a mini-batch
   * (classification: the class index; regression: the value).
   */
  target?: (sample: S) => number | ArrayLike<number>;
  /** Prequential metrics, by name; each step reports their current values. */
  metrics?: M;
  /** Applied to each step's gradients before the optimizer (e.g. global-norm clipping). */
  transformGrads?: GradientTransform;
  /**
   * Optimizer step every `accumulate` ticks, with the gradients averaged over them (default 1). A
   * final partial window at the end of the stream is applied too.
   */
  accumulate?: number;
  /**
   * A non-finite loss or gradient: 'error' (default) ends the stream with an error naming the tick;
   * 'skip' leaves the parameters untouched for that tick and reports `skipped: true`.
   */
  nonFinite?: 'error' | 'skip';
  /**
   * Tick of the first sample (default 0). To resume after a checkpoint, pass the `position` that
   * `restore` returned and skip that many samples from the source.
   */
  startAt?: number;
  /**
   * Save a checkpoint every `every` ticks (after that tick's update): `parts` says what to capture
   * (the same object later passed to `restore`), `save` stores it (e.g. `saveCheckpoint(path, c)`).
   * `every` must be a multiple of `accumulate`, so no checkpoint falls inside an accumulation window.
   */
  checkpoint?: { every: number; parts: CheckpointParts; save: (checkpoint: Checkpoint) => void };
}

/** One record per tick; `K` names the metrics given to `learn`. */
export interface Step<K extends string = string> {
  readonly tick: number;
  /** The (weighted) sum of the trained losses at this tick, before the update. */
  readonly loss: number;
  /** The prediction made before learning from this sample (when `prediction` is given). */
  readonly prediction: Tensor | null;
  /** Current value of each metric, after scoring this tick's prediction. */
  readonly metrics: Readonly<Record<K, number>>;
  /** The learning rate of the optimizer's default group after this tick. */
  readonly lr: number;
  /** True when an optimizer step was taken at this tick (always, unless accumulating or skipped). */
  readonly stepped: boolean;
  /** True when a non-finite value made this tick be skipped (`nonFinite: 'skip'`). */
  readonly skipped: boolean;
}

/** Splits a prediction into per-row values for the metrics. */
export function scoreRows(metrics: readonly StepMetric[], target: number | ArrayLike<number>, prediction: Tensor, tick: number): void {
  if (typeof target === 'number') {
    const value = prediction.size === 1 ? prediction.data[0]! : prediction.data;
    for (let k = 0; k < metrics.length; k++) metrics[k]!.update(target, value);
    return;
  }
  const rows = target.length;
  if (rows === 0 || prediction.size % rows !== 0) {
    throw new GraphError(`learn: ${rows} targets do not match a prediction of ${prediction.size} values at tick ${tick}`, tick);
  }
  const width = prediction.size / rows;
  for (let r = 0; r < rows; r++) {
    const value = width === 1 ? prediction.data[r]! : prediction.data.subarray(r * width, (r + 1) * width);
    for (let k = 0; k < metrics.length; k++) metrics[k]!.update(target[r]!, value);
  }
}

/** The metrics of every step when none are asked for (shared: steps are read-only). */
const NO_METRICS: Readonly<Record<string, number>> = Object.freeze({});

function hasNonFinite(t: Tensor): boolean {
  // A finite sum proves every element finite: ±∞ and NaN would make it non-finite (NaN, ∞ − ∞ = NaN,
  // ∞ + finite = ∞). Eight running sums, so the additions do not wait on each other. Only a
  // non-finite sum, which finite elements can also give by overflowing, is looked at element by
  // element.
  const d = t.data, n = d.length, end = n - (n & 7);
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
  for (let i = 0; i < end; i += 8) {
    s0 += d[i]!;
    s1 += d[i + 1]!;
    s2 += d[i + 2]!;
    s3 += d[i + 3]!;
    s4 += d[i + 4]!;
    s5 += d[i + 5]!;
    s6 += d[i + 6]!;
    s7 += d[i + 7]!;
  }
  for (let i = end; i < n; i++) s0 += d[i]!;
  const sum = s0 + s1 + (s2 + s3) + (s4 + s5 + (s6 + s7));
  if (sum - sum === 0) return false;
  for (let i = 0; i < n; i++) if (!Number.isFinite(d[i]!)) return true;
  return false;
}

/**
 * Below this many elements a gradient is checked by reading it: asking its plan costs a call or
 * two and a bound over x and ∂z, which on W4's 2-16-1 net (gradients of 32, 16, 16 and 1) took
 * about 60 ns per tick where reading them took about 35.
 */
const VOUCH_MIN_SIZE = 256;

/**
 * For each of the program's parameters, the one op slot whose inputs include it, or -1 (none,
 * several, or a parameter small enough to read, see VOUCH_MIN_SIZE).
 */
function soleReaders(program: Program): Int32Array {
  const index = new Map<number, number>();
  program.paramSlots.forEach((slot, i) => index.set(slot, i));
  const reader = new Int32Array(program.paramSlots.length).fill(-1), uses = new Int32Array(program.paramSlots.length);
  for (const s of program.opSlots) {
    for (const a of program.argSlots[s]!) {
      const i = index.get(a);
      if (i === undefined) continue;
      uses[i]!++;
      reader[i] = s;
    }
  }
  for (let i = 0; i < reader.length; i++) {
    if (uses[i] !== 1 || program.params[i]!.peek().size < VOUCH_MIN_SIZE) reader[i] = -1;
  }
  return reader;
}

/**
 * Trains a model online on a stream of samples.
 *
 * @example
 * const x = input([2]), y = input([1]);
 * const net = mlp([2, 16, 1], { activation: 'sigmoid', seed: 1 });
 * const out = x.pipe(net);
 * const loss = mse(out, y);
 * from(samples).pipe(
 *   learn({ inputs: [x, y], feed: (s) => [s.x, s.y], loss, optimizer: sgd({ lr: 0.1 }),
 *           prediction: out, target: (s) => s.y[0], metrics: { mae: mae() } }),
 * ).subscribe((step) => console.log(step.tick, step.loss, step.metrics.mae));
 */
export function learn<S, M extends Record<string, StepMetric> = Record<string, StepMetric>>(
  options: LearnOptions<S, M>,
): OperatorFunction<S | Frame<S>, Step<keyof M & string>> {
  return (source) =>
    new Observable<Step<keyof M & string>>((subscriber) => {
      // The options a tick reads, read once: each learn() call brings its own options object, and
      // with several pipelines in one program per-tick reads of them would see many shapes.
      const { feed, target, optimizer, scheduler, transformGrads } = options;
      const inputCount = options.inputs.length, failOnNonFinite = (options.nonFinite ?? 'error') === 'error';
      const losses = lossSpecs(Array.isArray(options.loss) ? (options.loss as readonly TrainSpec[]) : [options.loss as Node]);
      const prediction = options.prediction ?? null;
      const accumulate = options.accumulate ?? 1;
      if (!(Number.isInteger(accumulate) && accumulate >= 1)) {
        subscriber.error(new GraphError(`learn: accumulate must be a positive integer, got ${accumulate}`));
        return;
      }
      const ckpt = options.checkpoint;
      if (ckpt !== undefined && !(Number.isInteger(ckpt.every) && ckpt.every >= 1 && ckpt.every % accumulate === 0)) {
        subscriber.error(new GraphError(`learn: checkpoint.every (${ckpt.every}) must be a positive multiple of accumulate (${accumulate})`));
        return;
      }
      const startAt = options.startAt ?? 0;
      const metricEntries = Object.entries(options.metrics ?? {});
      if (metricEntries.length > 0 && (prediction === null || options.target === undefined)) {
        subscriber.error(new GraphError('learn: metrics need both `prediction` and `target`'));
        return;
      }
      let train: Program, order: number[];
      try {
        train = new Program({ outputs: prediction ? [prediction] : [], losses });
        order = matchFeeds(train, options.inputs.map((n, i) => [n, i] as const));
      } catch (error) {
        subscriber.error(error);
        return;
      }
      const params = train.params;
      const paramSlots = train.paramSlots;
      const lossSlots = train.lossSlots;
      const predictionSlot = prediction ? train.slotOf.get(prediction)! : -1;
      // Per parameter, the one op slot that reads it (else -1): that op's plan may vouch for the
      // gradient it returned (OpPlan.vouchesFinite), which spares reading the whole gradient below.
      const soleReader = soleReaders(train);
      const dataSteps: DataStep[] = findDataSteps(train);
      // With data steps (scalers), the prediction is made with their state before this sample, in a
      // separate inference pass; the training pass sees the state after learning the sample (River).
      let predict: Program | null = null, predictOrder: number[] = [];
      if (dataSteps.length > 0 && prediction !== null) {
        predict = new Program({ outputs: [prediction], losses: [] });
        predictOrder = matchFeeds(predict, options.inputs.filter((n) => predict!.slotOf.has(n)).map((n) => [n, options.inputs.indexOf(n)] as const));
      }
      const metrics = metricEntries.map(([, m]) => m);
      const names = metricEntries.map(([k]) => k);
      const dtypes = Array.from(train.inputSlots, (s) => train.nodes[s]!.dtype ?? 'float64');
      const grads: (Tensor | null)[] = new Array(params.length).fill(null);
      const sums: (Tensor | null)[] = new Array(params.length).fill(null);
      let inWindow = 0;

      // What this tick's backward produced (plain variables: no intermediate object per tick).
      let stepped = false, skipped = false, stepLoss = 0, stepPrediction: Tensor | null = null, stepTick = -1;
      let predicted: Tensor | null = null;
      let currentTarget: number | ArrayLike<number> = 0;
      let fail: unknown = null;

      const applyStep = (): void => {
        let g: readonly (Tensor | null)[] = sums;
        if (inWindow > 1) g = sums.map((s) => (s === null ? null : kernels.scale(s, 1 / inWindow)));
        if (transformGrads) g = transformGrads(g, params);
        optimizer.step(params, g);
        scheduler?.step();
        for (let i = 0; i < sums.length; i++) sums[i] = null;
        inWindow = 0;
      };

      const onBackward = (record: TickRecord): void => {
        let loss = 0;
        for (let k = 0; k < lossSlots.length; k++) {
          const v = record.values[lossSlots[k]!]!;
          const w = train.lossWeights[k]!;
          let total = 0;
          for (let i = 0; i < v.size; i++) total += v.data[i]!;
          loss += w * total;
        }
        let bad = !Number.isFinite(loss);
        for (let i = 0; i < paramSlots.length; i++) {
          const gi = record.grads[paramSlots[i]!] ?? null;
          grads[i] = gi;
          if (!bad && gi !== null && !vouched(soleReader[i]!, gi) && hasNonFinite(gi)) bad = true;
        }
        // The prediction pass's value when there was one (data steps); else this pass's, copied out.
        const pred = predicted !== null ? null : predictionSlot >= 0 ? record.values[predictionSlot]!.clone() : null;
        if (bad) {
          if (failOnNonFinite) {
            const what = Number.isFinite(loss) ? `a gradient (${params[grads.findIndex((g) => g !== null && hasNonFinite(g))]?.name})` : `the loss (${loss})`;
            throw new GraphError(`learn: non-finite value in ${what} at tick ${record.tick}; lower the learning rate, clip gradients, or pass nonFinite: 'skip'`, record.tick);
          }
          stepTick = record.tick;
          stepLoss = loss;
          stepPrediction = predicted ?? pred;
          skipped = true;
          stepped = false;
          return;
        }
        if (accumulate === 1 && transformGrads === undefined) {
          // One step per sample, gradients as they are (online learning's usual case): no window.
          optimizer.step(params, grads);
          scheduler?.step();
          stepped = true;
        } else {
          for (let i = 0; i < grads.length; i++) {
            const gi = grads[i];
            if (gi === null || gi === undefined) continue;
            const s = sums[i];
            // The engine reuses gradient storage next tick: a sum kept across ticks needs its own.
            sums[i] = s === null || s === undefined ? (accumulate > 1 ? gi.clone() : gi) : kernels.add(s, gi);
          }
          inWindow++;
          stepped = inWindow === accumulate;
          if (stepped) applyStep();
        }
        stepTick = record.tick;
        stepLoss = loss;
        stepPrediction = predicted ?? pred;
        skipped = false;
      };

      /** Whether the plan of op slot `reader` vouches that `grad`, which it returned this tick, is finite. */
      const vouched = (reader: number, grad: Tensor): boolean => {
        if (reader < 0) return false;
        const plan = trainExec.planAt(reader);
        return plan !== null && plan.vouchesFinite !== undefined && plan.vouchesFinite(grad);
      };
      const trainExec = new Execution(train, { onBackward, onError: (e) => (fail = e) }, { recycle: true });
      trainExec.start();
      const predictExec = predict
        ? // Without faces: the training pass computes the same nodes this tick, and each node emits once.
          new Execution(predict, { onOutputs: (r) => (predicted = r.values[predict!.outputSlots[0]!]!.clone()), onError: (e) => (fail = e) }, { recycle: true, faces: false })
        : null;
      predictExec?.start();
      const values: Tensor[] = new Array(order.length);
      // The prediction pass's inputs, as positions in `values` (resolved once).
      const predictFrom = predictOrder.map((k) => order.indexOf(k));
      const predictValues: Tensor[] = new Array(predictFrom.length);
      let count = 0;

      const subscription = source.subscribe({
        next: (item) => {
          let tick: number, sample: S;
          if (isFrame(item)) ({ tick, value: sample } = item as Frame<S>);
          else (tick = startAt + count), (sample = item as S);
          count++;
          try {
            const fed = feed(sample);
            if (fed.length !== inputCount) {
              throw new GraphError(`learn: feed returned ${fed.length} values for ${inputCount} inputs at tick ${tick}`, tick);
            }
            for (let k = 0; k < order.length; k++) {
              const v = fed[order[k]!]!;
              values[k] = asInput(v, dtypes[k]!);
            }
            if (metrics.length > 0) currentTarget = target!(sample);
            predicted = null;
            if (predictExec !== null) {
              for (let k = 0; k < predictFrom.length; k++) predictValues[k] = values[predictFrom[k]!]!;
              predictExec.feedAll(tick, predictValues);
              if (fail !== null) throw fail;
            }
            // Indexed loops on the per-sample path: for-of allocated an iterator per sample here.
            for (let k = 0; k < dataSteps.length; k++) dataSteps[k]!.learn(tick, values, train);
            stepTick = -1;
            trainExec.feedAll(tick, values);
            if (fail !== null) throw fail;
            if (stepTick !== tick) throw new GraphError(`learn: tick ${tick} produced no step (is the loss connected to the inputs?)`, tick);
            if (metrics.length > 0 && stepPrediction !== null) scoreRows(metrics, currentTarget, stepPrediction, tick);
            const m = (names.length === 0 ? NO_METRICS : {}) as Record<keyof M & string, number>;
            for (let k = 0; k < names.length; k++) m[names[k]! as keyof M & string] = metrics[k]!.get();
            if (ckpt !== undefined && count % ckpt.every === 0) ckpt.save(snapshot(ckpt.parts, { tick, position: startAt + count }));
            subscriber.next({ tick, loss: stepLoss, prediction: stepPrediction, metrics: m, lr: optimizer.lr, stepped, skipped });
          } catch (error) {
            trainExec.dispose(error);
            predictExec?.dispose(error);
            subscriber.error(error instanceof GraphError || (error as Error).name === 'OpError' ? error : new GraphError(`learn: at tick ${tick}: ${(error as Error).message}`, tick, { cause: error }));
          }
        },
        error: (error) => {
          trainExec.dispose(error);
          predictExec?.dispose(error);
          subscriber.error(error);
        },
        complete: () => {
          try {
            if (inWindow > 0) applyStep();
          } catch (error) {
            subscriber.error(error);
            return;
          }
          trainExec.dispose();
          predictExec?.dispose();
          subscriber.complete();
        },
      });
      return () => {
        subscription.unsubscribe();
        trainExec.dispose();
        predictExec?.dispose();
      };
    });
}
