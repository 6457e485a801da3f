/**
 * What `gradcheck` returns, and how it reads: every failure names the op, the input, the element,
 * both values, both errors, the step and the seed that replays it.
 */
import type { DType } from '../tensor/index.js';
import type { CheckMode, FdMethod } from './options.js';

/** One Jacobian entry (or one projection) where the analytic and numerical derivatives disagree. */
export interface GradientMismatch {
  /**
   * `'mismatch'`: smooth here, and the values differ. `'kink'`: near a non-differentiable point, and
   * the analytic value lies outside the one-sided differences. `'domain'`: the forward is not finite
   * within one step (the point is at the edge of the op's domain). `'projection'`: a projection vᵀJu
   * disagrees (the element-level records that follow localise it when the input is small enough).
   */
  kind: 'mismatch' | 'kink' | 'domain' | 'projection';
  /** Index of the input. */
  input: number;
  /** Multi-index of the element within the input (absent for a projection). */
  index?: number[];
  /** Multi-index of the output element (full mode). */
  output?: number[];
  /** Projection trial (projection mode; element records localised from it carry it too). */
  trial?: number;
  /** The derivative from the op's backward. */
  analytic: number;
  /** The finite-difference estimate (at the method's step). */
  numeric: number;
  /** The estimate refined by Richardson extrapolation at half the step, when it was computed. */
  refined?: number;
  /** One-sided derivatives, left and right, when kink detection ran. */
  left?: number;
  right?: number;
  absError: number;
  /** |a − n| / |n| (Infinity when n is 0 and a is not). */
  relError: number;
  /** The tolerance the error was held to. */
  tolerance: number;
  /** The step used (displacement of the element, or of the direction parameter). */
  step: number;
  /** Why, in words, for kinds other than a plain mismatch. */
  note?: string;
}

/** An element within one step of a non-differentiable point, where the analytic value was accepted. */
export interface KinkFinding {
  input: number;
  index?: number[];
  output?: number[];
  trial?: number;
  analytic: number;
  numeric: number;
  left: number;
  right: number;
  step: number;
}

/** A property of the backward besides its values that did not hold. */
export interface InvariantFailure {
  check:
    | 'reentrant'
    | 'zero-gradient'
    | 'shape'
    | 'dtype'
    | 'missing-gradient'
    | 'arity'
    | 'mutation'
    | 'needs'
    | 'deterministic-forward'
    | 'output-shape'
    | 'backward-threw'
    | 'step';
  input?: number;
  message: string;
}

export interface GradcheckReport {
  /** True when there is no mismatch and no invariant failure. */
  ok: boolean;
  /** The op's name. */
  op: string;
  /** The op's attributes, when it was an op record. */
  attrs?: object;
  /** Input shapes and dtypes, for the message. */
  inputs: { shape: number[]; dtype: DType }[];
  method: FdMethod;
  /** The mode actually used. */
  mode: Exclude<CheckMode, 'auto'>;
  seed: number;
  rtol: number;
  atol: number;
  /** The coarsest dtype among the checked inputs and the output: it set the step and tolerances. */
  precision: DType;
  /** Inputs whose Jacobian was compared. */
  checkedInputs: number[];
  /** Mismatch records (at most `maxFailures`). */
  failures: GradientMismatch[];
  /** All mismatches, including those not kept in `failures`. */
  failureCount: number;
  /** Elements near a non-differentiable point whose analytic value was accepted. */
  kinks: KinkFinding[];
  invariantFailures: InvariantFailure[];
  /** Scalars compared (Jacobian entries or projections). */
  comparisons: number;
  /** Largest |a − n| over all compared values (kinks excluded). */
  maxAbsError: number;
  /** Largest |a − n| / |n| over compared values with n ≠ 0 (kinks excluded). */
  maxRelError: number;
  /**
   * Largest error / tolerance among values that passed at the base step: how close the check came
   * to failing (calibration statistic; values needing a refined step are counted in `refined`).
   */
  maxErrorRatio: number;
  /** Values that passed only after refining the step (Richardson, then smaller steps). */
  refined: number;
  /** Function evaluations spent. */
  evaluations: { forward: number; backward: number };
  warnings: string[];
}

/** Thrown by `assertGradcheck`, `expectGradcheck` and `checkOp`; the message is the formatted report. */
export class GradcheckError extends Error {
  override readonly name = 'GradcheckError';
  constructor(readonly report: GradcheckReport) {
    super(formatReport(report));
  }
}

const num = (v: number): string => (Number.isFinite(v) && v !== 0 && (Math.abs(v) < 1e-4 || Math.abs(v) >= 1e6) ? v.toExponential(10) : String(v));
const sci = (v: number): string => (Number.isFinite(v) ? v.toExponential(2) : String(v));
const idx = (i: number[] | undefined): string => (i === undefined ? '' : `[${i.join(',')}]`);

function where(m: { input: number; index?: number[]; output?: number[]; trial?: number }, report: GradcheckReport): string {
  const shape = report.inputs[m.input]?.shape ?? [];
  let s = `input ${m.input} ${idx(shape)}`;
  if (m.index) s += ` element ${idx(m.index)}`;
  if (m.output) s += `, output element ${idx(m.output)}`;
  if (m.trial !== undefined) s += `${m.index ? ',' : ''} projection trial ${m.trial}`;
  return s;
}

/** The report as text: a summary line, one line per failure, and how to replay it. */
export function formatReport(report: GradcheckReport): string {
  const attrs = report.attrs && Object.keys(report.attrs).length > 0 ? ` ${JSON.stringify(report.attrs)}` : '';
  const head = `gradcheck(${report.op}${attrs}) ${report.ok ? 'passed' : 'FAILED'}: ${report.failureCount} mismatch${report.failureCount === 1 ? '' : 'es'}, ${report.invariantFailures.length} invariant failure${report.invariantFailures.length === 1 ? '' : 's'}, ${report.kinks.length} near-kink element${report.kinks.length === 1 ? '' : 's'} accepted`;
  const lines = [
    head,
    `  inputs ${report.inputs.map((t) => `${idx(t.shape)} ${t.dtype}`).join(', ')}; method ${report.method}, mode ${report.mode}, rtol ${report.rtol}, atol ${report.atol}, seed ${report.seed}; ${report.comparisons} values compared, max abs error ${sci(report.maxAbsError)}, max rel error ${sci(report.maxRelError)}${report.refined ? `, ${report.refined} passed after refining the step` : ''}; ${report.evaluations.forward} forwards, ${report.evaluations.backward} backwards`,
  ];
  for (const f of report.invariantFailures) lines.push(`  [${f.check}]${f.input === undefined ? '' : ` input ${f.input}`}: ${f.message}`);
  for (const f of report.failures) {
    const kind = f.kind === 'mismatch' ? 'mismatch' : f.kind === 'kink' ? 'wrong near a non-differentiable point' : f.kind === 'domain' ? 'at the edge of the domain' : 'projection vᵀJu mismatch';
    let line = `  ${kind} at ${where(f, report)}: analytic ${num(f.analytic)} vs numeric ${num(f.numeric)}`;
    if (f.refined !== undefined) line += ` (refined ${num(f.refined)})`;
    line += `, abs error ${sci(f.absError)}, rel error ${sci(f.relError)}, tolerance ${sci(f.tolerance)}, step ${sci(f.step)}`;
    if (f.kind === 'kink' && f.left !== undefined) line += `; one-sided left ${num(f.left)}, right ${num(f.right ?? NaN)}`;
    if (f.note) line += ` — ${f.note}`;
    lines.push(line);
  }
  if (report.failureCount > report.failures.length) lines.push(`  … and ${report.failureCount - report.failures.length} more mismatches`);
  if (report.kinks.length > 0 && !report.ok) {
    const k = report.kinks[0]!;
    lines.push(`  near a non-differentiable point (accepted): ${where(k, report)}, analytic ${num(k.analytic)} within one-sided [${num(Math.min(k.left, k.right))}, ${num(Math.max(k.left, k.right))}]${report.kinks.length > 1 ? ` and ${report.kinks.length - 1} more` : ''}`);
  }
  for (const w of report.warnings) lines.push(`  warning: ${w}`);
  if (!report.ok) lines.push(`  replay: gradcheck(${report.op}, inputs, { seed: ${report.seed}, method: '${report.method}', mode: '${report.mode}'${attrs ? `, attrs: ${attrs.trim()}` : ''} })`);
  return lines.join('\n');
}
