/**
 * W1: online SGD at batch size 1 on an MLP 2-16-1 with sigmoid hidden and output units and an MSE
 * loss, on a generated stream of 2-D points with a smooth target. Every implementation starts from
 * the same initial weights (bench/data.ts), sees the same samples in the same order and uses the
 * same learning rate, so they follow the same trajectory (float64 rows to rounding; float32 rows
 * — tfjs, brain.js — to float32 accuracy). Each records its per-sample loss; the table shows the
 * mean over a window every row reaches (the same-maths check) and over its own last samples.
 *
 * brain.js's conventions differ in two ways that we compensate exactly: its output error is
 * (target − output) without MSE's factor 2, so its learning rate is set to 2·lr (its option check
 * wants 0 < learningRate < 1, hence lr < 0.5 here); and its default momentum (0.1) is set to 0
 * after construction, since the option check rejects 0. It stores weights in Float32Array and
 * computes the deltas of the input layer too (unused work that its trainPattern always does).
 */
import { from } from 'rxjs';
import { type Tensor, input, learn, linear, mse, sgd, sigmoid, tensor } from '../src/index.js';
import { type LayerInit, type PointSample, initLayers, meanOf, pointStream } from './data.js';
import type { Learner } from './harness.js';
import { type BrainNetwork, NeuralNetwork } from './peers/brain.js';
import { type TfBackend, tf, useBackend } from './peers/tfjs.js';
import { referenceW1 } from './reference/online.js';

export const W1_SIZES = [2, 16, 1] as const;
export const W1_LR = 0.3;
export const W1_SEED = 1;
export const W1_DATA_SEED = 7;

export type { Learner };

/** An rxgrad initialiser returning fixed values (the shared initial weights). */
export function fixed(values: Float64Array, shape: readonly number[]): () => Tensor {
  return () => tensor(values, { shape: [...shape] });
}

/** rxgrad, written as a user would: linear layers, sigmoid, mse, sgd, driven by `learn`. */
export function rxgradW1(samples: readonly PointSample[], init: readonly LayerInit[], lr: number): Learner {
  const losses = new Float64Array(samples.length);
  let run: () => void = () => {};
  return {
    name: 'rxgrad learn (f64)',
    samples: samples.length,
    losses,
    setup() {
      const x = input([init[0]!.inSize]), y = input([init[init.length - 1]!.outSize]);
      let h = x;
      for (const { inSize, outSize, weight, bias } of init) {
        const layer = linear(inSize, outSize, { init: fixed(weight, [inSize, outSize]), biasInit: fixed(bias, [outSize]) });
        h = h.pipe(layer, sigmoid());
      }
      const loss = mse(h, y);
      const optimizer = sgd({ lr });
      run = () => {
        let k = 0;
        from(samples)
          .pipe(learn({ inputs: [x, y], feed: (s) => [s.x, s.y], loss, optimizer }))
          .subscribe((step) => (losses[k++] = step.loss));
        if (k !== samples.length) throw new Error(`rxgrad W1: ${k} steps for ${samples.length} samples`);
      };
    },
    run: () => run(),
  };
}

/** brain.js NeuralNetwork.trainPattern with the shared weights, lr·2 and no momentum (see the header). */
export function brainW1(samples: readonly PointSample[], init: readonly LayerInit[], lr: number): Learner {
  const losses = new Float64Array(samples.length);
  const patterns = samples.map((s) => ({ input: s.x, output: s.y }));
  let net: BrainNetwork;
  return {
    name: 'brain.js trainPattern (f32)',
    samples: samples.length,
    losses,
    setup() {
      net = new NeuralNetwork({ activation: 'sigmoid', learningRate: 2 * lr });
      // Its option check rejects momentum 0 (it wants 0 < momentum < 1), so it is switched off
      // after construction; adjustWeights then adds 0·previousChange.
      net.trainOpts.momentum = 0;
      net.sizes = [init[0]!.inSize, ...init.map((l) => l.outSize)];
      net.initialize();
      init.forEach(({ inSize, outSize, weight, bias }, l) => {
        for (let j = 0; j < outSize; j++) {
          net.biases[l + 1]![j] = bias[j]!;
          for (let i = 0; i < inSize; i++) net.weights[l + 1]![j]![i] = weight[i * outSize + j]!;
        }
      });
    },
    run() {
      for (let i = 0; i < patterns.length; i++) losses[i] = net.trainPattern(patterns[i]!, true)!;
    },
  };
}

/** TensorFlow.js ops + tf.train.sgd, one sample per step, loss read back every step. */
export function tfjsW1(backend: TfBackend, samples: readonly PointSample[], init: readonly LayerInit[], lr: number): Learner {
  const losses = new Float64Array(samples.length);
  // tfjs takes float32 data (it rejects Float64Array): the samples as a float32 user would hold them.
  const data = samples.map((s) => ({ x: Float32Array.from(s.x), y: Float32Array.from(s.y) }));
  let vars: tf.Variable[] = [];
  let optimizer: tf.Optimizer;
  return {
    name: `tfjs-${backend} (f32)`,
    samples: samples.length,
    losses,
    async setup() {
      await useBackend(backend);
      vars = init.flatMap(({ inSize, outSize, weight, bias }) => [
        tf.variable(tf.tensor2d(Float32Array.from(weight), [inSize, outSize])),
        tf.variable(tf.tensor1d(Float32Array.from(bias))),
      ]);
      optimizer = tf.train.sgd(lr);
    },
    run() {
      const din = init[0]!.inSize, dout = init[init.length - 1]!.outSize;
      for (let i = 0; i < data.length; i++) {
        const s = data[i]!;
        const cost = tf.tidy(() => {
          const x = tf.tensor2d(s.x, [1, din]), y = tf.tensor2d(s.y, [1, dout]);
          return optimizer.minimize(() => {
            let h: tf.Tensor = x;
            for (let l = 0; l < vars.length; l += 2) h = tf.sigmoid(tf.add(tf.matMul(h, vars[l]!), vars[l + 1]!));
            return tf.losses.meanSquaredError(y, h) as tf.Scalar;
          }, true)!;
        });
        losses[i] = cost.dataSync()[0]!;
        cost.dispose();
      }
    },
    after() {
      optimizer.dispose();
      for (const v of vars) v.dispose();
    },
  };
}

export interface W1Options {
  /** Samples per run for the fast rows (reference, rxgrad, brain.js). */
  samples: number;
  /** Samples per run for tfjs (slow at batch 1). */
  slowSamples: number;
  /** Window of the loss means. */
  window: number;
}

/** All W1 contenders, the reference first. */
export function w1Contenders(o: W1Options): { reference: Learner; others: Learner[]; slow: Set<string> } {
  const init = initLayers(W1_SIZES, W1_SEED);
  const stream = pointStream(o.samples, 20_000, W1_DATA_SEED);
  const short = stream.slice(0, o.slowSamples);
  const reference = referenceW1(stream, init, W1_LR);
  const tfCpu = tfjsW1('cpu', short, init, W1_LR), tfWasm = tfjsW1('wasm', short, init, W1_LR);
  return {
    reference,
    others: [rxgradW1(stream, init, W1_LR), brainW1(stream, init, W1_LR), tfCpu, tfWasm],
    slow: new Set([tfCpu.name, tfWasm.name]),
  };
}

/** Mean loss over [end − window, end) of a run's losses. */
export function windowLoss(losses: Float64Array, end: number, window: number): number {
  return meanOf(losses, Math.max(0, end - window), end);
}
