/**
 * Training pieces: optimizers with PyTorch's update rules, learning-rate schedulers, gradient
 * clipping.
 */
export {
  Optimizer, type BaseOptions, type GroupSpec, type ParamGroup, type OptimizerState, type ParamState, type StateSpec,
  type EncodedOption, type EncodedNumber, type EncodedTensor,
} from './optimizer.js';
export { SGD, sgd, type SgdOptions } from './optim/sgd.js';
export { Adam, adam, type AdamOptions, type AdamFactoryOptions } from './optim/adam.js';
export { AdamW, adamW } from './optim/adam-w.js';
export { RMSprop, rmsprop, type RmspropOptions } from './optim/rmsprop.js';
export { Adagrad, adagrad, type AdagradOptions } from './optim/adagrad.js';
export { Scheduler, type LRScheduler, type SchedulerState, type AnyOptimizer } from './schedule/scheduler.js';
export { StepLR, stepLR, type StepLROptions } from './schedule/step-lr.js';
export { ExponentialLR, exponentialLR, type ExponentialLROptions } from './schedule/exponential-lr.js';
export { CosineAnnealingLR, cosineAnnealingLR, type CosineAnnealingLROptions } from './schedule/cosine-annealing-lr.js';
export { LinearLR, linearLR, type LinearLROptions } from './schedule/linear-lr.js';
export { clipGradNorm, clipGradValue, clipValue, clipNorm, vectorNorm, type ClipGradNormOptions } from './clip.js';
