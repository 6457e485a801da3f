/**
 * rxgrad/testing: prove that a backward is right. `gradcheck` compares an op's vector–Jacobian
 * product with finite differences taken in float64 and checks the backward's invariants; `checkOp`
 * turns it into a fast-check property over generated inputs; the arbitraries generate bounded,
 * finite tensors, shapes, broadcast pairs, domains and labels; `planMismatches` checks that an op's
 * fixed-shape plan gives its forward's and backward's bits.
 */
export { type Differentiable, type GraphSpec, fromOp } from './differentiable.js';
export { fromGraph, type GraphCheckOptions } from './from-graph.js';
export { gradcheck, assertGradcheck, unravel, FULL_MODE_LIMIT, LOCALIZE_LIMIT } from './gradcheck.js';
export { planMismatches, type PlanCheckOptions, type PlanCheckReport } from './check-plan.js';
export { checkOp, expectGradcheck, defaultCases, tensorSource, type OpCase, type CheckOpOptions } from './check-op.js';
export { type GradcheckOptions, type FdMethod, type CheckMode, type KinkPolicy, DEFAULT_TOLERANCES, relativeStep } from './options.js';
export { GradcheckError, formatReport, type GradcheckReport, type GradientMismatch, type KinkFinding, type InvariantFailure } from './report.js';
export { shapeArb, type ShapeArbOptions } from './shape-arb.js';
export { broadcastPairArb } from './broadcast-pair-arb.js';
export { tensorArb, type TensorArbOptions } from './tensor-arb.js';
export { domainTensorArb, domainBounds, type Domain, type DomainTensorOptions } from './domain-tensor-arb.js';
export { labelsArb, type LabelsArbOptions } from './labels-arb.js';
