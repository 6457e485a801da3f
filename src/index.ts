/**
 * rxgrad: backpropagation as reactive dataflow.
 *
 * Layers (each imports only those before it): tensor → ops → graph → train / nn. The gradient
 * checker is a separate entry point, `rxgrad/testing`, so that runtime bundles do not pull in
 * fast-check.
 */
export * from './tensor/index.js';
export * from './ops/index.js';
export * from './graph/index.js';
export * from './train/index.js';
export * from './train/metrics/index.js';
export { learn, scoreRows, type LearnOptions, type Step, type StepMetric, type StepScheduler, type GradientTransform } from './train/learn.js';
export { predict, type PredictOptions } from './train/predict.js';
export { batch, stackSamples, type Stacked, type BatchOptions } from './train/batch.js';
export { StandardScaler, type StandardScalerState } from './train/scaler.js';
export { standardize, unstandardize } from './train/standardize.js';
export {
  snapshot, restore, saveCheckpoint, loadCheckpoint, type Checkpoint, type CheckpointParts, type Stateful, CHECKPOINT_FORMAT,
} from './train/checkpoint.js';
export * from './data/index.js';
export * from './nn/index.js';
