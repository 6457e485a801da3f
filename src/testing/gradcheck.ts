/**
 * `gradcheck`: proof, by finite differences in float64, that a backward is the derivative of its
 * forward — plus the properties a backward must have besides its values (see invariants.ts).
 */
import type { AnyOp } from '../ops/index.js';
import { type DType, Rng, Tensor, allocate, isTensor, stridesOf } from '../tensor/index.js';
import { Tally, compareLine } from './compare.js';
import { type Differentiable, type GraphSpec, toDifferentiable } from './differentiable.js';
import { separatedVector } from './directions.js';
import { type Grads, checkInvariants, checkStructure, isError, sameBits, snapshot } from './invariants.js';
import { type Evaluate, Line, type Sample } from './line.js';
import { type GradcheckOptions, type ResolvedOptions, epsilonOf, relativeStep, resolveOptions } from './options.js';
import { GradcheckError, type GradcheckReport, type InvariantFailure } from './report.js';

/** Full mode is used by 'auto' when the checked inputs and the output each hold at most this many elements. */
export const FULL_MODE_LIMIT = 256;
/** A failed projection is localised element by element (until `maxFailures` records) when its input holds at most this many elements. */
export const LOCALIZE_LIMIT = 4096;

/** A row-major flat index as a multi-index. */
export function unravel(flat: number, shape: readonly number[]): number[] {
  const strides = stridesOf(shape);
  return strides.map((s, d) => Math.floor(flat / s) % shape[d]!);
}

function roundTo(dtype: DType): (v: number) => number {
  return dtype === 'float64' ? (v) => v : Math.fround;
}

/**
 * Checks an op's (or any {@link Differentiable}'s) backward against finite differences at the given
 * inputs, and checks its invariants. Never throws for a mismatch: the report says what failed (use
 * {@link assertGradcheck} to throw). Throws only when the forward rejects the inputs themselves.
 *
 * @example
 * const report = gradcheck(mul, [randn([2, 3], { seed: 1 }), randn([3], { seed: 2 })]);
 * report.ok;                          // true
 * gradcheck(softmax, [x], { attrs: { axis: 0 }, method: 'richardson' });
 */
export function gradcheck(f: Differentiable | AnyOp | GraphSpec, inputs: readonly Tensor[], options: GradcheckOptions = {}): GradcheckReport {
  const fn = toDifferentiable(f, options.attrs);
  if (!Array.isArray(inputs) || !inputs.every(isTensor)) throw new TypeError(`gradcheck(${fn.name}): inputs must be an array of Tensors`);
  const evaluations = { forward: 0, backward: 0 };
  const warnings: string[] = [];
  const invariantFailures: InvariantFailure[] = [];

  // The unperturbed forward; a throw here means the inputs are invalid for the op, not a bug found.
  const inputSnapshots = inputs.map(snapshot);
  evaluations.forward++;
  const output = fn.forward(inputs);
  if (!isTensor(output)) throw new TypeError(`gradcheck(${fn.name}): forward returned ${String(output)}, not a Tensor`);
  inputs.forEach((x, i) => {
    if (!sameBits(x.data, inputSnapshots[i]!)) invariantFailures.push({ check: 'mutation', input: i, message: `forward wrote into input ${i}` });
  });
  const outputSnapshot = snapshot(output);
  // From here on, evaluations see fresh copies of the pristine inputs, whatever the op does to them.
  const fresh = (): Tensor[] => inputSnapshots.map((s, i) => new Tensor(s.slice(), inputs[i]!.shape));
  evaluations.forward++;
  const again = fn.forward(fresh());
  if (!sameBits(again.data, outputSnapshot) || again.shape.length !== output.shape.length || again.shape.some((d, i) => d !== output.shape[i])) {
    invariantFailures.push({ check: 'deterministic-forward', message: 'forward gives different outputs for the same inputs' });
  }

  // Which inputs to check.
  const differentiable = (i: number): boolean => fn.isDifferentiable?.(i) ?? true;
  const requested = options.wrt ?? inputs.map((_, i) => i);
  for (const i of requested) {
    if (!Number.isInteger(i) || i < 0 || i >= inputs.length) throw new RangeError(`gradcheck(${fn.name}): wrt index ${i} is out of range for ${inputs.length} inputs`);
    if (!differentiable(i)) warnings.push(`input ${i} is not differentiable; skipped`);
  }
  const needs = inputs.map((_, i) => requested.includes(i) && differentiable(i));
  const checked = inputs.flatMap((x, i) => (needs[i] && x.size > 0 ? [i] : []));
  if (!needs.some(Boolean)) warnings.push('no differentiable input to check');

  const precision: DType = output.dtype === 'float32' || checked.some((i) => inputs[i]!.dtype === 'float32') ? 'float32' : 'float64';
  const opts = resolveOptions(options, precision);
  if (precision === 'float32') {
    warnings.push(
      `float32 storage: differences are taken in float64, but the op rounds to float32, so the step is ∛ε₃₂-scaled and the tolerances are rtol ${opts.rtol}, atol ${opts.atol}; check in float64 for a strict result`,
    );
  }
  const rng = new Rng(opts.seed);
  const outRound = roundTo(output.dtype);
  const randomLike = (t: Tensor): Tensor => {
    const v = separatedVector(t.size, rng);
    const data = allocate(t.dtype, t.size);
    for (let k = 0; k < v.length; k++) data[k] = outRound(v[k]!);
    return new Tensor(data, t.shape);
  };

  // Backward calls count and never throw; the Jacobian phase hands them fresh copies.
  const callBackward = (g: Tensor, need: readonly boolean[], xs: readonly Tensor[] = fresh(), y: Tensor = new Tensor(outputSnapshot.slice(), output.shape)) => {
    evaluations.backward++;
    try {
      return fn.backward(g, xs, y, need) as Grads;
    } catch (error) {
      return { error };
    }
  };

  const usable = checkInvariants({
    fn, inputs, output, inputSnapshots, outputSnapshot, needs, g: randomLike(output), failures: invariantFailures,
    structureOnly: !opts.invariants,
    call: (g, need) => callBackward(g, need, inputs, output),
  });

  const tally = new Tally(opts.maxFailures);
  const total = checked.reduce((s, i) => s + inputs[i]!.size, 0);
  const mode = opts.mode === 'auto' ? (total <= FULL_MODE_LIMIT && output.size <= FULL_MODE_LIMIT ? 'full' : 'projection') : opts.mode;
  const comparable = checked.filter((i) => usable[i]);
  const env: Env = { fn, inputs, output, outputSnapshot, fresh, needs, opts, tally, invariantFailures, evaluations, callBackward, randomLike, rng, warnings };
  if (comparable.length > 0 && output.size > 0) {
    if (mode === 'full') checkFull(env, comparable);
    else checkProjections(env, comparable);
  }

  const report: GradcheckReport = {
    ok: tally.failureCount === 0 && invariantFailures.length === 0,
    op: fn.name,
    ...('attrs' in fn && typeof fn.attrs === 'object' && fn.attrs !== null ? { attrs: fn.attrs } : {}),
    inputs: inputs.map((x) => ({ shape: x.shape.slice(), dtype: x.dtype })),
    method: opts.method,
    mode,
    seed: opts.seed,
    rtol: opts.rtol,
    atol: opts.atol,
    precision,
    checkedInputs: checked,
    failures: tally.failures,
    failureCount: tally.failureCount,
    kinks: tally.kinks,
    invariantFailures,
    comparisons: tally.comparisons,
    maxAbsError: tally.maxAbsError,
    maxRelError: tally.maxRelError,
    maxErrorRatio: tally.maxErrorRatio,
    refined: tally.refined,
    evaluations,
    warnings,
  };
  return report;
}

/** Like {@link gradcheck}, but throws a {@link GradcheckError} (message: the formatted report) when it fails. */
export function assertGradcheck(f: Differentiable | AnyOp | GraphSpec, inputs: readonly Tensor[], options: GradcheckOptions = {}): GradcheckReport {
  const report = gradcheck(f, inputs, options);
  if (!report.ok) throw new GradcheckError(report);
  return report;
}

interface Env {
  fn: Differentiable;
  inputs: readonly Tensor[];
  output: Tensor;
  outputSnapshot: Float64Array | Float32Array;
  fresh: () => Tensor[];
  needs: readonly boolean[];
  opts: ResolvedOptions;
  tally: Tally;
  invariantFailures: InvariantFailure[];
  evaluations: { forward: number; backward: number };
  callBackward: (g: Tensor, need: readonly boolean[]) => Grads | { error: unknown };
  randomLike: (t: Tensor) => Tensor;
  rng: Rng;
  warnings: string[];
}

/** The base step for input i at element value x: relative rule or the absolute `step` option. */
function baseStep(env: Env, dtype: DType, x: number): number {
  const { opts } = env;
  // The step follows the coarser of the input's and the output's precision (SciPy's rule).
  const precision: DType = dtype === 'float32' || env.output.dtype === 'float32' ? 'float32' : 'float64';
  if (opts.step !== undefined) return opts.method === 'central' ? opts.step : 2 * opts.step;
  return relativeStep(opts.method, precision) * opts.stepScale * Math.max(1, Math.abs(x));
}

/**
 * Evaluates the forward with input i replaced by x + t·d (rounded to its dtype). Returns the output
 * in float64, with t the exact applied displacement when d is one element.
 */
function evaluator(env: Env, i: number, d: { index: number } | { direction: Float64Array }): Evaluate {
  const x = env.inputs[i]!;
  const round = roundTo(x.dtype);
  return (t) => {
    const xs = env.fresh();
    const data = xs[i]!.data;
    let applied = t;
    if ('index' in d) {
      const before = data[d.index]!;
      data[d.index] = round(before + t);
      applied = data[d.index]! - before;
    } else {
      const dir = d.direction;
      for (let j = 0; j < data.length; j++) data[j] = round(data[j]! + t * dir[j]!);
    }
    let y: Tensor;
    env.evaluations.forward++;
    try {
      y = env.fn.forward(xs);
    } catch (error) {
      return { failed: true, t, kind: 'threw', message: error instanceof Error ? error.message : String(error) };
    }
    if (y.size !== env.output.size || y.shape.length !== env.output.shape.length || y.shape.some((n, k) => n !== env.output.shape[k])) {
      const message = `the output shape changes from [${env.output.shape.join(',')}] to [${y.shape.join(',')}] when input ${i} is perturbed`;
      if (!env.invariantFailures.some((f) => f.check === 'output-shape')) env.invariantFailures.push({ check: 'output-shape', input: i, message });
      return { failed: true, t, kind: 'shape', message };
    }
    return { y: Float64Array.from(y.data), t: applied };
  };
}

/** Full Jacobian: columns by finite differences, rows by one-hot backward calls. */
function checkFull(env: Env, comparable: number[]): void {
  const { output, opts, inputs } = env;
  const m = output.size;
  const u = epsilonOf(output.dtype) / 2;
  const need = inputs.map((_, i) => comparable.includes(i));
  // Analytic Jacobian, row k = backward(e_k).
  const jac = new Map<number, Float64Array>(comparable.map((i) => [i, new Float64Array(m * inputs[i]!.size)]));
  for (let k = 0; k < m; k++) {
    const g = new Tensor(allocate(output.dtype, m), output.shape);
    g.data[k] = 1;
    const grads = env.callBackward(g, need);
    if (isError(grads)) {
      env.invariantFailures.push({ check: 'backward-threw', message: `backward threw on the one-hot gradient of output element [${unravel(k, output.shape).join(',')}]: ${grads.error instanceof Error ? grads.error.message : String(grads.error)}` });
      return;
    }
    const structural: InvariantFailure[] = [];
    checkStructure(grads, inputs, need, structural);
    if (structural.length > 0) {
      env.invariantFailures.push(...structural.filter((f) => !env.invariantFailures.some((e) => e.check === f.check && e.input === f.input)));
      return;
    }
    for (const i of comparable) {
      const n = inputs[i]!.size, row = grads[i]!.data, J = jac.get(i)!;
      for (let j = 0; j < n; j++) J[k * n + j] = row[j]!;
    }
  }
  const origin: Sample = { y: Float64Array.from(env.outputSnapshot), t: 0 };
  const outIndex = (k: number): number[] => unravel(k, output.shape);
  for (const i of comparable) {
    const x = inputs[i]!, n = x.size, J = jac.get(i)!;
    const column = new Float64Array(m);
    for (let j = 0; j < n; j++) {
      for (let k = 0; k < m; k++) column[k] = J[k * n + j]!;
      const line = new Line(evaluator(env, i, { index: j }), origin, baseStep(env, x.dtype, x.data[j]!), u);
      compareLine({ line, analytic: column, tolerance: (_k, num) => opts.atol + opts.rtol * Math.abs(num), where: { input: i, index: unravel(j, x.shape), output: outIndex } }, opts, env.tally);
    }
  }
}

/**
 * Random projections: per trial, one backward with a random v gives vᵀJ for every input; for each
 * input, one random direction u gives the scalar vᵀJu numerically from two forwards.
 */
function checkProjections(env: Env, comparable: number[]): void {
  const { output, opts, inputs, tally } = env;
  const u = epsilonOf(output.dtype) / 2;
  const need = inputs.map((_, i) => comparable.includes(i));
  /** Inputs whose projection failure was confirmed element by element: later ones need no repeat. */
  const confirmed = new Set<number>();
  for (let trial = 0; trial < opts.trials; trial++) {
    const g = env.randomLike(output);
    const v = Float64Array.from(g.data);
    const grads = env.callBackward(g, need);
    if (isError(grads)) {
      env.invariantFailures.push({ check: 'backward-threw', message: `backward threw in projection trial ${trial}: ${grads.error instanceof Error ? grads.error.message : String(grads.error)}` });
      return;
    }
    const structural: InvariantFailure[] = [];
    checkStructure(grads, inputs, need, structural);
    if (structural.length > 0) return;
    const origin: Sample = { y: Float64Array.from(env.outputSnapshot), t: 0 };
    let vNorm = 0;
    for (let k = 0; k < v.length; k++) vNorm += v[k]! * v[k]!;
    vNorm = Math.sqrt(vNorm);
    for (const i of comparable) {
      const x = inputs[i]!, a = grads[i]!.data;
      const uDir = separatedVector(x.size, env.rng);
      // Direction d = max(1, |x|)·u, parameter step s = relative step; same scaling as element lines.
      const s = baseStep(env, x.dtype, 0);
      const d = new Float64Array(x.size);
      let dNorm = 0;
      for (let j = 0; j < d.length; j++) {
        d[j] = (opts.step !== undefined ? 1 : Math.max(1, Math.abs(x.data[j]!))) * uDir[j]!;
        dNorm += d[j]! * d[j]!;
      }
      dNorm = Math.sqrt(dNorm);
      // The analytic side uses the displacement actually applied at ±s (float32 rounding included).
      const round = roundTo(x.dtype);
      let analytic = 0, scale = 0, inputNoise = 0;
      const uIn = epsilonOf(x.dtype) / 2;
      for (let j = 0; j < d.length; j++) {
        const xj = x.data[j]!;
        const eff = (round(xj + s * d[j]!) - round(xj - s * d[j]!)) / (2 * s);
        analytic += a[j]! * eff;
        scale += Math.abs(a[j]! * d[j]!);
        inputNoise += Math.abs(a[j]!) * (Math.abs(xj) + s * Math.abs(d[j]!));
      }
      inputNoise = x.dtype === 'float64' ? 0 : (uIn * inputNoise) / s;
      const line = new Line(evaluator(env, i, { direction: d }), origin, s, u);
      const screen = tally.scratch();
      compareLine(
        {
          line, project: v, analytic: [analytic], kind: 'projection', extraNoise: inputNoise,
          tolerance: (_k, num) => opts.atol * vNorm * dNorm + opts.rtol * Math.max(scale, Math.abs(num)),
          where: { input: i, trial },
        },
        opts, screen,
      );
      if (screen.failureCount === 0 || confirmed.has(i) || x.size > LOCALIZE_LIMIT) {
        tally.merge(screen);
        continue;
      }
      // A projection is a screening test: confirm it element by element, vᵀJ e_j numerically against
      // (vᵀJ)_j with the same v. If every element agrees, so does vᵀJu up to the summed tolerances,
      // and the disagreement came from the coarse direction (a function varying on a scale below
      // the step, e.g. sqrt near 0.01 in float32), not from the backward.
      const elements = tally.scratch();
      for (let j = 0; j < x.size && elements.failures.length < opts.maxFailures; j++) {
        const el = new Line(evaluator(env, i, { index: j }), origin, baseStep(env, x.dtype, x.data[j]!), u);
        compareLine({ line: el, project: v, analytic: [a[j]!], tolerance: (_k, num) => opts.atol * vNorm + opts.rtol * Math.abs(num), where: { input: i, index: unravel(j, x.shape), trial } }, opts, elements);
      }
      if (elements.failureCount > 0) {
        confirmed.add(i);
        tally.merge(screen);
      }
      else {
        const f = screen.failures[0]!;
        env.warnings.push(`input ${i}, projection trial ${trial}: vᵀJu disagreed (analytic ${f.analytic}, numeric ${f.refined ?? f.numeric}) but every element of vᵀJ agreed: accepted`);
      }
      tally.merge(elements);
    }
  }
}

export { GradcheckError };
