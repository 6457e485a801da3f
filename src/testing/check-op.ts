/**
 * `checkOp`: gradcheck as a fast-check property, so that an op's backward is checked on hundreds of
 * generated shapes and values, and a failure shrinks to a small counterexample that prints as code.
 */
import fc from 'fast-check';
import { type AnyOp, isOp } from '../ops/index.js';
import type { DType, Tensor } from '../tensor/index.js';
import type { Differentiable, GraphSpec } from './differentiable.js';
import { domainTensorArb } from './domain-tensor-arb.js';
import { assertGradcheck } from './gradcheck.js';
import type { GradcheckOptions } from './options.js';
import type { GradcheckReport } from './report.js';
import { shapeArb } from './shape-arb.js';

/** One generated call of an op: its inputs and, for op records, its attributes. */
export interface OpCase {
  inputs: Tensor[];
  attrs?: object;
}

export interface CheckOpOptions extends GradcheckOptions {
  /** Generated calls. Default: `arity` same-shape tensors in [−9, 9] (shapes up to rank 3, dims up to 4). */
  cases?: fc.Arbitrary<OpCase>;
  /** Number of inputs for the default cases, when the op does not say (a Differentiable, a variadic op: 2). */
  arity?: number;
  /** Storage of the default cases. Default float64. */
  dtype?: DType;
}

/** A tensor as code that rebuilds it exactly (shortest round-trip decimals; −0, NaN and ±∞ kept). */
export function tensorSource(t: Tensor): string {
  const num = (v: number): string => (Object.is(v, -0) ? '-0' : Number.isNaN(v) ? 'NaN' : v === Infinity ? 'Infinity' : v === -Infinity ? '-Infinity' : String(v));
  const dtype = t.dtype === 'float64' ? '' : `, { dtype: 'float32' }`;
  if (t.size === 0) return `zeros([${t.shape.join(', ')}]${dtype ? ", { dtype: 'float32' }" : ''})`;
  if (t.rank === 0) return `tensor(${num(t.data[0]!)}${dtype})`;
  const flat = Array.from(t.data, num).join(', ');
  return `tensor([${flat}], { shape: [${t.shape.join(', ')}]${t.dtype === 'float32' ? ", dtype: 'float32'" : ''} })`;
}

/** Makes fast-check print a case as code: `{ inputs: [tensor(...)], attrs: {...} }`. */
function printable(c: OpCase): OpCase {
  const out: OpCase = { inputs: c.inputs, ...(c.attrs !== undefined ? { attrs: c.attrs } : {}) };
  Object.defineProperty(out, fc.toStringMethod, {
    value: () => `{ inputs: [${c.inputs.map(tensorSource).join(', ')}]${c.attrs !== undefined ? `, attrs: ${JSON.stringify(c.attrs)}` : ''} }`,
    enumerable: false,
  });
  return out;
}

/** Default cases: `arity` real tensors of one shared shape. */
export function defaultCases(arity: number, dtype: DType = 'float64'): fc.Arbitrary<OpCase> {
  return shapeArb({ maxRank: 3, maxDim: 4 }).chain((shape) =>
    fc.array(domainTensorArb(shape, 'real', { dtype }), { minLength: arity, maxLength: arity }).map((inputs) => ({ inputs })),
  );
}

/**
 * The gradient check of an op as a fast-check property over generated cases. Each run checks one
 * case with `gradcheck` (its own seed drawn by fast-check, so fast-check's seed and path replay
 * everything) and throws a `GradcheckError` on failure; fast-check then shrinks the case and prints
 * it as code. fast-check 4 reports the GradcheckError as the `cause` of its error (vitest prints it
 * as "Caused by"); pass `includeErrorInReport: true` to `fc.assert` for one message with both.
 *
 * @example
 * fc.assert(checkOp(mul, { cases: broadcastPairArb().chain(([a, b]) => fc.tuple(tensorArb(a), tensorArb(b))).map((inputs) => ({ inputs })) }), { numRuns: 200 });
 * fc.assert(checkOp(myCustomOp));                   // default cases from the op's arity
 */
export function checkOp(op: AnyOp | Differentiable, options: CheckOpOptions = {}): fc.IPropertyWithHooks<[OpCase, number]> {
  const { cases, arity, dtype, ...gradOptions } = options;
  let source = cases;
  if (source === undefined) {
    const n = arity ?? (isOp(op) ? (op.arity === 'variadic' ? 2 : op.arity) : undefined);
    if (n === undefined) throw new TypeError(`checkOp(${op.name}): pass 'cases' or 'arity' for a Differentiable`);
    source = defaultCases(n, dtype);
  }
  const seeds = options.seed === undefined ? fc.noShrink(fc.integer({ min: 0, max: 0x7fffffff })) : fc.constant(options.seed);
  return fc.property(source.map(printable), seeds, (c, seed) => {
    const attrs = c.attrs ?? gradOptions.attrs;
    const { attrs: _ignored, ...rest } = gradOptions;
    assertGradcheck(op, c.inputs, { ...rest, ...(isOp(op) && attrs !== undefined ? { attrs } : {}), seed });
  });
}

/**
 * Throws a `GradcheckError` carrying the formatted report unless the backward passes; for use in
 * `@fast-check/vitest`'s `test.prop` or any test runner.
 *
 * @example
 * test.prop([tensorArb([3, 4])])('tanh', (x) => { expectGradcheck(tanh, [x]); });
 */
export function expectGradcheck(op: AnyOp | Differentiable | GraphSpec, inputs: readonly Tensor[], options: GradcheckOptions = {}): GradcheckReport {
  return assertGradcheck(op, inputs, options);
}
