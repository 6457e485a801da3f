/**
 * Prequential metrics (River's semantics and digits): each is fed one (truth, prediction) pair at a
 * time, can revert pairs (for windows), and saves and loads its state as plain JSON.
 */
export type { Metric } from './metric.js';
export type { Prediction } from './inputs.js';
export { accuracy, Accuracy, type AccuracyState } from './accuracy.js';
export { f1, F1, type F1Options, type F1State } from './f1.js';
export { logLoss, LogLoss } from './log-loss.js';
export { rocAuc, RocAuc, type RocAucOptions, type RocAucState } from './roc-auc.js';
export { mae, Mae } from './mae.js';
export { rmse, Rmse } from './rmse.js';
export { r2, R2, type R2State } from './r2.js';
export { rolling, Rolling, type RollingState, type WindowPair } from './rolling.js';
export type { MeanState } from './mean-metric.js';
