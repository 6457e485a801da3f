/**
 * Online standardisation inside a graph, with River's pipeline semantics: `learn` updates each
 * scaler from the sample's raw values between the prediction pass (which uses the statistics from
 * before the sample) and the training pass (which uses them after).
 */
import { type Grads, type OpPlan, type Tensor, type TypedArray, allocate, defineOp, formatShape, wrapStorage } from '../index-core.js';
import { ownedTensor } from '../ops/grad-util.js';
import { type Node, applyOp } from '../graph/node.js';
import type { DataLearner } from './data-step.js';
import type { StandardScaler } from './scaler.js';

interface ScalerAttrs {
  scaler: StandardScaler;
  learner: DataLearner;
}

function rowsOf(x: Tensor, each: (row: ArrayLike<number>) => void): void {
  const k = x.rank === 0 ? 1 : x.shape[x.rank - 1]!;
  for (let o = 0; o < x.size; o += k) each(x.data.subarray(o, o + k));
}

/** Each row of x (k features) through the scaler into `out`: standardised, or mapped back (`inverse`). */
function scaleRowsInto(x: Tensor, k: number, scaler: StandardScaler, out: TypedArray, inverse: boolean): void {
  const d = x.data;
  if (x.rank === 1) {
    if (inverse) scaler.inverseTransformInto(d, out, 0);
    else scaler.transformInto(d, out, 0);
    return;
  }
  for (let o = 0; o < x.size; o += k) {
    const row = d.subarray(o, o + k);
    if (inverse) scaler.inverseTransformInto(row, out, o);
    else scaler.transformInto(row, out, o);
  }
}

/** An op's forward: x's rows through the scaler, in new storage, once the feature count is checked. */
function scaledRows(x: Tensor, scaler: StandardScaler, op: string, inverse: boolean): Tensor {
  const k = scaler.features ?? (x.rank === 0 ? 1 : x.shape[x.rank - 1]!);
  if (x.rank === 0 || x.shape[x.rank - 1] !== k) {
    throw new RangeError(`${op}: expected ${k} features on the last axis, got ${formatShape(x.shape)}`);
  }
  const out = allocate(x.dtype, x.size);
  scaleRowsInto(x, k, scaler, out, inverse);
  return wrapStorage(out, x.shape);
}

/** standardize's plan (see `OpSpec.plan`; a class for the reason given at DensePlan in src/ops/dense.ts). */
class StandardizePlan implements OpPlan {
  private readonly out: Tensor;
  private static readonly NONE: Grads = [null];

  constructor(x0: Tensor, private readonly k: number, private readonly scaler: StandardScaler) {
    this.out = ownedTensor(x0.shape, x0.dtype);
  }

  forward(inputs: readonly Tensor[]): Tensor {
    scaleRowsInto(inputs[0]!, this.k, this.scaler, this.out.data, false);
    return this.out;
  }

  backward(): Grads {
    return StandardizePlan.NONE;
  }
}

const standardizeOp = Object.assign(
  defineOp<ScalerAttrs, 1>({
    name: 'standardize',
    arity: 1,
    differentiable: [false],
    // It keeps no tensor: the scaler holds numbers, and the statistics it reads are its own.
    recyclable: true,
    forward: ([x], { scaler }) => scaledRows(x, scaler, 'standardize', false),
    backward: () => [null],
    // The features of the planned shape: the scaler's, once it has seen a row (it cannot change
    // them after), so the forward's check holds for every input of that shape.
    plan: ([x], { scaler }) => {
      const k = x.rank === 0 ? 0 : x.shape[x.rank - 1]!;
      return x.rank === 0 || (scaler.features !== null && scaler.features !== k) ? null : new StandardizePlan(x, k, scaler);
    },
  }),
  { dataStep: true as const },
);

/**
 * Standardises each feature (the last axis) with a running {@link StandardScaler}:
 * `(x − μ)/σ`, 0 while σ = 0. Inside `learn`, the scaler learns from every sample; predictions use
 * the statistics from before the sample, training the statistics after it (River's semantics).
 * It must read an input node directly; no gradient flows through it (it scales data).
 *
 * @example
 * const scaler = new StandardScaler();
 * const out = x.pipe(standardize(scaler), linear(9, 1), sigmoid());
 */
export function standardize(scaler: StandardScaler): (source: Node) => Node {
  const learner: DataLearner = {
    learnFrom: (value) => {
      // One row (the online case) needs no subarray view.
      if (value.rank <= 1) scaler.learn(value.data);
      else rowsOf(value, (row) => scaler.learn(row));
    },
  };
  return (source) => applyOp(standardizeOp, [source], { scaler, learner });
}

const unstandardizeOp = defineOp<{ scaler: StandardScaler }, 1>({
  name: 'unstandardize',
  arity: 1,
  // It keeps no tensor (the scaler holds numbers): the engine may recycle its storage.
  recyclable: true,
  // Rows written into the output, and σ read in place: a copy of a row or of the variances per tick
  // was most of what a regression model's prediction allocated (bench:stream, TrumpApproval).
  forward: ([z], { scaler }) => scaledRows(z, scaler, 'unstandardize', true),
  backward: (g, { inputs: [z], attrs: { scaler } }) => {
    // ∂(zσ + μ)/∂z = σ, with σ = 1 where the variance is still 0 (see StandardScaler.inverseTransform).
    const k = scaler.features ?? 1;
    const out = allocate(z.dtype, z.size);
    for (let i = 0; i < out.length; i++) out[i] = g.data[i]! * scaler.scaleAt(i % k);
    return [wrapStorage(out, z.shape)];
  },
});

/**
 * Maps standardised values back to the units of a scaler's data: `z·σ + μ` per feature. Used on a
 * model's output when it learns a standardised target: predictions come back in the target's units.
 *
 * @example
 * const yScaler = new StandardScaler();
 * const loss = mse(out, y.pipe(standardize(yScaler)));
 * const prediction = out.pipe(unstandardize(yScaler));
 */
export function unstandardize(scaler: StandardScaler): (source: Node) => Node {
  return (source) => applyOp(unstandardizeOp, [source], { scaler });
}
