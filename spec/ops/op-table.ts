/**
 * The gradient test table: for every built-in op, how to call it (shapes, attributes) and where its
 * inputs live (domains, away from kinks and ties). Keyed by OpName, so an op added to the registry
 * without an entry here is a compile error (`tsc --noEmit` runs in `npm test`).
 *
 * Cases are built for a storage dtype so the same table drives float64 and float32 checks.
 */
import fc from 'fast-check';
import type { OpName } from '../../src/ops/index.js';
import { type DType, Tensor, allocate, sizeOf } from '../../src/tensor/index.js';
import { affine } from '../../src/ops/index.js';
import {
  type Domain,
  type GradcheckOptions,
  type OpCase,
  broadcastPairArb,
  domainTensorArb,
  labelsArb,
  shapeArb,
} from '../../src/testing/index.js';

export interface OpTestSpec {
  /** Calls of the op with inputs in its domain, stored as `dtype`. */
  cases(dtype: DType): fc.Arbitrary<OpCase>;
  /** Gradcheck options beyond the defaults (a tolerance, a method), with the reason next to them. */
  options?: GradcheckOptions;
}

type Shape = readonly number[];
interface ValueSpec {
  domain?: Domain;
  awayFrom?: readonly number[];
  margin?: number;
}

const values = (shape: Shape | fc.Arbitrary<readonly number[]>, dtype: DType, v: ValueSpec = {}): fc.Arbitrary<Tensor> =>
  domainTensorArb(shape, v.domain ?? 'real', { dtype, ...(v.awayFrom ? { awayFrom: v.awayFrom } : {}), ...(v.margin !== undefined ? { margin: v.margin } : {}) });

const small = { maxRank: 3, maxDim: 4 };
const reductions = fc.constantFrom('mean' as const, 'sum' as const, 'none' as const);

/** One input of any shape, elementwise op. */
function unary(v: ValueSpec = {}, attrs: fc.Arbitrary<object | undefined> = fc.constant(undefined)) {
  return (dtype: DType): fc.Arbitrary<OpCase> =>
    fc.tuple(shapeArb(small).chain((s) => values(s, dtype, v)), attrs).map(([x, a]) => ({ inputs: [x], ...(a ? { attrs: a } : {}) }));
}

/** Two inputs whose shapes broadcast together. */
function broadcastBinary(va: ValueSpec = {}, vb: ValueSpec = {}) {
  return (dtype: DType): fc.Arbitrary<OpCase> =>
    broadcastPairArb({ maxRank: 3, maxDim: 3 }).chain(([a, b]) => fc.tuple(values(a, dtype, va), values(b, dtype, vb))).map((inputs) => ({ inputs }));
}

/** Random axes (a number, a list, or all) with keepdims, for a tensor of rank r. */
function axesFor(rank: number): fc.Arbitrary<{ axes?: number | number[]; keepdims?: boolean }> {
  const axis = fc.integer({ min: -Math.max(rank, 1), max: Math.max(rank, 1) - 1 });
  const list = rank === 0 ? fc.constant([] as number[]) : fc.shuffledSubarray(Array.from({ length: rank }, (_, i) => i)).chain((ax) =>
    fc.tuple(...ax.map((a) => fc.constantFrom(a, a - rank))).map((xs) => xs as number[]));
  const axes = rank === 0 ? fc.constant(undefined) : fc.oneof(fc.constant(undefined), axis, list);
  return fc.record({ axes, keepdims: fc.boolean() }).map(({ axes, keepdims }) => ({ ...(axes !== undefined ? { axes } : {}), keepdims }));
}

/**
 * Distinct values at least 0.05 apart (so that a max has no ties within the reach of any step):
 * a random subset of the grid −9, −8.95, …, 9 in random order.
 */
function distinctValues(shape: Shape, dtype: DType): fc.Arbitrary<Tensor> {
  const n = sizeOf(shape);
  return fc.uniqueArray(fc.integer({ min: -180, max: 180 }), { minLength: n, maxLength: n }).map((ks) => {
    const data = allocate(dtype, n);
    ks.forEach((k, i) => (data[i] = k * 0.05));
    return new Tensor(data, shape);
  });
}

/** Prediction and target with residual r = p − y kept in `residual` (away from the loss's kinks). */
function residualPair(residual: ValueSpec) {
  return (dtype: DType, shape: Shape): fc.Arbitrary<[Tensor, Tensor]> =>
    fc.tuple(values(shape, dtype), values(shape, 'float64', residual)).map(([p, r]) => {
      const y = allocate(dtype, p.size);
      for (let i = 0; i < y.length; i++) y[i] = p.data[i]! - r.data[i]!;
      return [p, new Tensor(y, shape)];
    });
}

function lossCases(pair: (dtype: DType, shape: Shape) => fc.Arbitrary<[Tensor, Tensor]>, extra: fc.Arbitrary<object> = fc.constant({})) {
  return (dtype: DType): fc.Arbitrary<OpCase> =>
    fc.tuple(shapeArb(small).chain((s) => pair(dtype, s)), reductions, extra).map(([[p, y], reduction, more]) => ({ inputs: [p, y], attrs: { reduction, ...more } }));
}

/** Scores [..., C] with labels [...], class weights, ignoreIndex, and at least one kept row when 'mean'. */
function classCases(scores: ValueSpec) {
  return (dtype: DType): fc.Arbitrary<OpCase> =>
    fc
      .record({ rows: shapeArb({ maxRank: 2, maxDim: 3 }), classes: fc.integer({ min: 1, max: 4 }), ignoreIndex: fc.constantFrom(undefined, -100, 1) /* never 0: row 0 can always be kept */, weighted: fc.boolean(), reduction: reductions })
      .chain(({ rows, classes, ignoreIndex, weighted, reduction }) =>
        fc.record({
          x: values([...rows, classes], dtype, scores),
          labels: labelsArb(rows, classes, { ignoreIndex: ignoreIndex ?? -100 }),
          weight: weighted ? fc.array(fc.double({ min: 0.1, max: 3, noNaN: true }), { minLength: classes, maxLength: classes }) : fc.constant(undefined),
          ignoreIndex: fc.constant(ignoreIndex),
          reduction: fc.constant(reduction),
        }),
      )
      .map(({ x, labels, weight, ignoreIndex, reduction }) => {
        const ignored = ignoreIndex ?? -100;
        if (reduction === 'mean' && labels.size > 0 && Array.from(labels.data).every((l) => l === ignored)) {
          // An all-ignored batch has a NaN 'mean' loss (0/0, as PyTorch): keep one row.
          labels.data[0] = 0;
        }
        return { inputs: [x, labels], attrs: { reduction, ...(ignoreIndex !== undefined ? { ignoreIndex } : {}), ...(weight ? { weight } : {}) } };
      });
}

/** All the ways torch.matmul takes shapes: vectors, matrices, batches that broadcast. */
function matmulCases(dtype: DType): fc.Arbitrary<OpCase> {
  const dim = fc.integer({ min: 1, max: 4 });
  const batchPair = broadcastPairArb({ maxRank: 2, maxDim: 3 });
  const shapes = fc.oneof(
    fc.tuple(dim).map(([k]): [Shape, Shape] => [[k], [k]]),
    fc.tuple(dim, dim).map(([k, n]): [Shape, Shape] => [[k], [k, n]]),
    fc.tuple(dim, dim).map(([m, k]): [Shape, Shape] => [[m, k], [k]]),
    fc.tuple(dim, dim, dim).map(([m, k, n]): [Shape, Shape] => [[m, k], [k, n]]),
    fc.tuple(batchPair, dim, dim, dim).map(([[ba, bb], m, k, n]): [Shape, Shape] => [[...ba, m, k], [...bb, k, n]]),
    fc.tuple(fc.array(dim, { minLength: 1, maxLength: 2 }), dim, dim).map(([b, m, k]): [Shape, Shape] => [[...b, m, k], [k]]),
  );
  return shapes.chain(([a, b]) => fc.tuple(values(a, dtype), values(b, dtype))).map((inputs) => ({ inputs }));
}

/** Shapes of x, W and b for an affine map: the dense-layer shapes (fast path), and others where it falls back to matmul + add. */
const affineShapes = (() => {
  const dim = fc.integer({ min: 1, max: 4 });
  return fc.oneof(
    fc.tuple(dim, dim).map(([k, n]): [Shape, Shape, Shape] => [[k], [k, n], [n]]),
    fc.tuple(dim, dim, dim).map(([m, k, n]): [Shape, Shape, Shape] => [[m, k], [k, n], [n]]),
    fc.tuple(dim, dim, dim).map(([m, k, n]): [Shape, Shape, Shape] => [[m, k], [k, n], [1, n]]),
    fc.tuple(dim, dim, dim).map(([m, k, n]): [Shape, Shape, Shape] => [[m, k], [k, n], [m, 1]]),
    fc.tuple(dim, dim, dim, dim).map(([b, m, k, n]): [Shape, Shape, Shape] => [[b, m, k], [k, n], [n]]),
  );
})();

/** affine(x, W, b) on {@link affineShapes}. */
function affineCases(dtype: DType): fc.Arbitrary<OpCase> {
  return affineShapes.chain(([x, w, b]) => fc.tuple(values(x, dtype), values(w, dtype), values(b, dtype))).map((inputs) => ({ inputs }));
}

/**
 * dense(x, W, b, { activation }) on {@link affineShapes}, with values small enough that the
 * pre-activation spans both of sigmoid's and tanh's slope branches (|z| beyond 13 and 4) without
 * saturating everything; for relu, z stays 0.25 away from the kink (far beyond the step's effect on z).
 */
function denseCases(dtype: DType): fc.Arbitrary<OpCase> {
  const spread = { domain: { min: -3, max: 3 } } as const;
  return fc
    .tuple(affineShapes, fc.constantFrom('sigmoid' as const, 'tanh' as const, 'relu' as const))
    .chain(([[x, w, b], activation]) =>
      fc.tuple(values(x, dtype, spread), values(w, dtype, spread), values(b, dtype, { domain: { min: -6, max: 6 } })).map((inputs) => ({ inputs, attrs: { activation } })))
    .filter(({ inputs, attrs }) => attrs.activation !== 'relu' || affine(inputs[0]!, inputs[1]!, inputs[2]!).data.every((z) => Math.abs(z) >= 0.25));
}

/** A random shape with the same number of elements (one dimension sometimes −1). */
function reshapeTarget(shape: Shape): fc.Arbitrary<number[]> {
  const size = sizeOf(shape);
  return fc.tuple(fc.array(fc.nat(), { maxLength: 4 }), fc.boolean(), fc.nat()).map(([picks, infer, at]) => {
    const target: number[] = [];
    let rest = size;
    for (const p of picks) {
      if (rest <= 1) break;
      const divisors = Array.from({ length: rest }, (_, i) => i + 1).filter((d) => rest % d === 0);
      const d = divisors[p % divisors.length]!;
      target.push(d);
      rest /= d;
    }
    if (rest !== 1 || target.length === 0) target.push(rest);
    if (infer && size > 0) target[at % target.length] = -1;
    return target;
  });
}

/** Tensors of one shape except along `axis`, to be concatenated. */
function concatCases(dtype: DType): fc.Arbitrary<OpCase> {
  return fc
    .record({ shape: shapeArb({ minRank: 1, maxRank: 3, maxDim: 3 }), count: fc.integer({ min: 1, max: 3 }), pick: fc.nat() })
    .chain(({ shape, count, pick }) => {
      const axis = pick % shape.length;
      return fc.tuple(
        fc.array(fc.integer({ min: 1, max: 3 }), { minLength: count, maxLength: count }).chain((lens) =>
          fc.tuple(...lens.map((len) => values(shape.map((d, i) => (i === axis ? len : d)), dtype)))),
        fc.constantFrom(axis, axis - shape.length),
      );
    })
    .map(([inputs, axis]) => ({ inputs, attrs: { axis } }));
}

/** Start/end lists (possibly shorter than the rank), with negative and out-of-range bounds. */
function sliceCases(dtype: DType): fc.Arbitrary<OpCase> {
  return shapeArb({ minRank: 1, maxRank: 3, maxDim: 4 }).chain((shape) => {
    const bound = fc.integer({ min: -5, max: 5 });
    const bounds = fc.array(bound, { maxLength: shape.length });
    return fc.tuple(values(shape, dtype), fc.option(bounds, { nil: undefined }), fc.option(bounds, { nil: undefined })).map(([x, start, end]) => ({
      inputs: [x],
      attrs: { ...(start ? { start } : {}), ...(end ? { end } : {}) },
    }));
  });
}

/** A permutation of rank r (sometimes with negative axes), or none (swap the last two). */
function permFor(rank: number): fc.Arbitrary<number[] | undefined> {
  const axes = Array.from({ length: rank }, (_, i) => i);
  const perm = fc.shuffledSubarray(axes, { minLength: rank, maxLength: rank }).chain((p) => fc.tuple(...p.map((a) => fc.constantFrom(a, a - rank))).map((xs) => xs as number[]));
  return fc.oneof(fc.constant(undefined), perm);
}

export const opTable: { [K in OpName]: OpTestSpec } = {
  add: { cases: broadcastBinary() },
  affine: { cases: affineCases },
  dense: { cases: denseCases },
  sub: { cases: broadcastBinary() },
  mul: { cases: broadcastBinary() },
  // The divisor stays 0.25 away from 0, where a/b and its derivatives blow up.
  div: { cases: broadcastBinary({}, { awayFrom: [0], margin: 0.25 }) },
  neg: { cases: unary() },
  exp: { cases: unary() },
  log: { cases: unary({ domain: 'positive' }) },
  sqrt: { cases: unary({ domain: 'positive' }) },
  abs: { cases: unary({ awayFrom: [0] }) },
  square: { cases: unary() },
  pow: {
    // Integer exponents on the reals (negative ones away from 0); fractional ones on the positives.
    cases: (dtype) =>
      fc.constantFrom(0, 1, 2, 3, -1, -2, 0.5, 1.5, -0.5, 2.5).chain((exponent) => {
        const v: ValueSpec = !Number.isInteger(exponent) ? { domain: 'positive' } : exponent < 0 ? { awayFrom: [0], margin: 0.25 } : {};
        return unary(v, fc.constant({ exponent }))(dtype);
      }),
  },
  sigmoid: { cases: unary() },
  tanh: { cases: unary() },
  relu: { cases: unary({ awayFrom: [0] }) },
  leakyRelu: { cases: unary({ awayFrom: [0] }, fc.option(fc.record({ slope: fc.constantFrom(0.01, 0.2, 1.5, -0.5) }), { nil: undefined })) },
  elu: { cases: unary({ awayFrom: [0] }, fc.option(fc.record({ alpha: fc.constantFrom(1, 0.5, 2) }), { nil: undefined })) },
  softplus: {
    // Wider than 'real' so that βx crosses the threshold; the switch to x is a tiny jump (≈ e^−threshold/β), so stay away from it.
    cases: (dtype) =>
      fc.record({ beta: fc.constantFrom(1, 2, 0.5), threshold: fc.constantFrom(20, 5) }).chain((attrs) =>
        unary({ domain: { min: -25, max: 25 }, awayFrom: [attrs.threshold / attrs.beta] }, fc.constant(attrs))(dtype)),
  },
  gelu: { cases: unary({}, fc.option(fc.record({ approximate: fc.constantFrom('none' as const, 'tanh' as const) }), { nil: undefined })) },
  softmax: {
    cases: (dtype) =>
      shapeArb({ minRank: 1, maxRank: 3, maxDim: 4 }).chain((s) =>
        fc.tuple(values(s, dtype), fc.integer({ min: -s.length, max: s.length - 1 }), fc.boolean()).map(([x, axis, given]) => ({ inputs: [x], ...(given ? { attrs: { axis } } : {}) }))),
  },
  logSoftmax: {
    cases: (dtype) =>
      shapeArb({ minRank: 1, maxRank: 3, maxDim: 4 }).chain((s) =>
        fc.tuple(values(s, dtype), fc.integer({ min: -s.length, max: s.length - 1 }), fc.boolean()).map(([x, axis, given]) => ({ inputs: [x], ...(given ? { attrs: { axis } } : {}) }))),
  },
  sum: { cases: (dtype) => shapeArb(small).chain((s) => fc.tuple(values(s, dtype), axesFor(s.length))).map(([x, attrs]) => ({ inputs: [x], attrs })) },
  mean: { cases: (dtype) => shapeArb(small).chain((s) => fc.tuple(values(s, dtype), axesFor(s.length))).map(([x, attrs]) => ({ inputs: [x], attrs })) },
  // Ties are kinks (FD gives 1/2 per tied element, the op g/k): distinct values 0.05 apart.
  max: { cases: (dtype) => shapeArb(small).chain((s) => fc.tuple(distinctValues(s, dtype), axesFor(s.length))).map(([x, attrs]) => ({ inputs: [x], attrs })) },
  matmul: { cases: matmulCases },
  transpose: {
    cases: (dtype) =>
      shapeArb({ maxRank: 4, maxDim: 3 }).chain((s) => fc.tuple(values(s, dtype), permFor(s.length))).map(([x, perm]) => ({ inputs: [x], attrs: perm ? { perm } : {} })),
  },
  reshape: { cases: (dtype) => shapeArb(small).chain((s) => fc.tuple(values(s, dtype), reshapeTarget(s))).map(([x, shape]) => ({ inputs: [x], attrs: { shape } })) },
  concat: { cases: concatCases },
  slice: { cases: sliceCases },
  mse: { cases: lossCases(residualPair({})) },
  // |p − y| ≥ 0.1 keeps the kink at p = y beyond the step on p (≤ 4.9e-3·max(1, |p|), |p| ≤ 9, float32).
  l1: { cases: lossCases(residualPair({ awayFrom: [0], margin: 0.1 })) },
  // Huber is only C¹ at |r| = δ: its second derivative jumps, so central differences straddling it err by O(h).
  huber: {
    cases: (dtype) =>
      fc.constantFrom(1, 0.5, 2).chain((delta) => lossCases(residualPair({ awayFrom: [-delta, delta], margin: 0.1 }), fc.constant({ delta }))(dtype)),
  },
  // Probabilities in (0, 1) away from the ends (the clamped logs); soft targets too, since the op
  // rejects a target outside [0, 1] and y ± h must stay valid (hard 0/1 targets are covered by ∂p).
  bce: { cases: lossCases((dtype, s) => fc.tuple(values(s, dtype, { domain: 'unit' }), values(s, dtype, { domain: 'unit' }))) },
  bceWithLogits: {
    cases: (dtype) =>
      shapeArb(small).chain((s) =>
        fc.tuple(
          values(s, dtype),
          values(s, dtype, { domain: { min: 0, max: 1 } }),
          reductions,
          fc.oneof(fc.constant(undefined), fc.constantFrom(0.5, 2.5), fc.array(fc.double({ min: 0.1, max: 4, noNaN: true }), { minLength: s[s.length - 1] ?? 1, maxLength: s[s.length - 1] ?? 1 })),
        ).map(([x, y, reduction, posWeight]) => ({ inputs: [x, y], attrs: { reduction, ...(posWeight !== undefined ? { posWeight } : {}) } }))),
  },
  crossEntropy: { cases: classCases({}) },
  nll: { cases: classCases({}) },
};
