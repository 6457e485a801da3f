/**
 * brain.js as a peer (version 1.6.1, the npm `latest`: its CPU NeuralNetwork is plain JavaScript
 * over Float32Array). Its typings omit `trainPattern` and the internal arrays that we fill with the
 * shared initial weights, so the parts we use are typed here.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export interface BrainNetwork {
  sizes: number[] | null;
  /** weights[layer][node][input], layer ≥ 1 (Float32Array rows). */
  weights: Float32Array[][];
  /** biases[layer][node], layer ≥ 1. */
  biases: Float32Array[];
  /** Training options as validated by the constructor (written directly to bypass the check). */
  trainOpts: { learningRate: number; momentum: number };
  initialize(): void;
  /** One online step: forward, deltas, weight update; returns the MSE of the output when asked. */
  trainPattern(value: { input: ArrayLike<number>; output: ArrayLike<number> }, logErrorRate?: boolean): number | null;
  run(input: ArrayLike<number>): ArrayLike<number>;
}

interface BrainModule {
  NeuralNetwork: new (options: Record<string, unknown>) => BrainNetwork;
}

const brain = require('brain.js') as BrainModule;
export const BRAIN_VERSION: string = (require('brain.js/package.json') as { version: string }).version;

export const NeuralNetwork = brain.NeuralNetwork;
