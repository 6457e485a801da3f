/**
 * W2: SGD on mini-batches of 32 through an MLP 784-128-10 (relu hidden layer, linear output) with
 * the softmax cross-entropy loss averaged over the batch, on synthetic MNIST-shaped data
 * (bench/data.ts). Same initial weights, batches and learning rate for every implementation; each
 * records the loss of every batch.
 */
import { from } from 'rxjs';
import { type Tensor, crossEntropy, input, learn, linear, relu, sgd, tensor } from '../src/index.js';
import { CLASSES, IMAGE_SIZE, type ImageBatch, type LayerInit, imageBatches, initLayers } from './data.js';
import { canForcePureTs, useMatmulBackend } from './backend.js';
import { type TfBackend, tf, useBackend } from './peers/tfjs.js';
import { Dense, Relu, Sequential, SoftmaxCrossEntropy } from './reference/layers.js';
import type { Learner } from './harness.js';
import { fixed } from './w1.js';

export const W2_SIZES = [IMAGE_SIZE, 128, CLASSES] as const;
export const W2_BATCH = 32;
export const W2_LR = 0.05;
export const W2_SEED = 2;
export const W2_DATA_SEED = 11;

/** The hand-written reference: Dense(784,128) · ReLU · Dense(128,10), softmax CE, float64. */
export function referenceW2(batches: readonly ImageBatch[], init: readonly LayerInit[], lr: number): Learner {
  const losses = new Float64Array(batches.length);
  const rows = batches[0]!.rows;
  let net: Sequential, loss: SoftmaxCrossEntropy;
  return {
    name: 'hand-written JS (f64)',
    samples: batches.length * rows,
    losses,
    setup() {
      const [l1, l2] = init as [LayerInit, LayerInit];
      net = new Sequential([
        new Dense(l1.inSize, l1.outSize, l1.weight, l1.bias, rows),
        new Relu(l1.outSize, rows),
        new Dense(l2.inSize, l2.outSize, l2.weight, l2.bias, rows),
      ]);
      loss = new SoftmaxCrossEntropy(l2.outSize, rows);
    },
    run() {
      for (let b = 0; b < batches.length; b++) {
        const batch = batches[b]!;
        losses[b] = loss.forward(net.forward(batch.x, batch.rows), batch.labels, batch.rows);
        net.backward(loss.backward(), batch.rows);
        net.step(lr);
      }
    },
  };
}

/**
 * rxgrad through `learn`: linear, relu, linear, crossEntropy, sgd; batches as tensors. With
 * `pureTs`, rxgrad's matmul is kept to its TypeScript kernels for the run (see ./backend.ts).
 */
export function rxgradW2(batches: readonly ImageBatch[], init: readonly LayerInit[], lr: number, pureTs = false): Learner {
  const losses = new Float64Array(batches.length);
  const rows = batches[0]!.rows;
  // The user's dataset, as tensors (built once, like an in-memory dataset).
  const data: { x: Tensor; labels: Tensor }[] = batches.map((b) => ({
    x: tensor(b.x, { shape: [b.rows, IMAGE_SIZE] }),
    labels: tensor(b.labels),
  }));
  let run: () => void = () => {};
  return {
    name: pureTs ? 'rxgrad learn (f64, pure TS kernels)' : 'rxgrad learn (f64)',
    samples: batches.length * rows,
    losses,
    setup() {
      useMatmulBackend(pureTs ? 'js' : 'auto');
      const [l1, l2] = init as [LayerInit, LayerInit];
      const x = input([rows, l1.inSize]), labels = input([rows]);
      const logits = x.pipe(
        linear(l1.inSize, l1.outSize, { init: fixed(l1.weight, [l1.inSize, l1.outSize]), biasInit: fixed(l1.bias, [l1.outSize]) }),
        relu(),
        linear(l2.inSize, l2.outSize, { init: fixed(l2.weight, [l2.inSize, l2.outSize]), biasInit: fixed(l2.bias, [l2.outSize]) }),
      );
      const loss = crossEntropy(logits, labels);
      const optimizer = sgd({ lr });
      run = () => {
        let k = 0;
        from(data)
          .pipe(learn({ inputs: [x, labels], feed: (b) => [b.x, b.labels], loss, optimizer }))
          .subscribe((step) => (losses[k++] = step.loss));
        if (k !== data.length) throw new Error(`rxgrad W2: ${k} steps for ${data.length} batches`);
      };
    },
    run: () => run(),
    after: () => useMatmulBackend('auto'),
  };
}

/** TensorFlow.js ops + tf.train.sgd + tf.losses.softmaxCrossEntropy (mean over the batch). */
export function tfjsW2(backend: TfBackend, batches: readonly ImageBatch[], init: readonly LayerInit[], lr: number): Learner {
  const losses = new Float64Array(batches.length);
  const rows = batches[0]!.rows;
  const x32 = batches.map((b) => Float32Array.from(b.x));
  let vars: tf.Variable[] = [];
  let data: { x: tf.Tensor2D; onehot: tf.Tensor2D }[] = [];
  let optimizer: tf.Optimizer;
  return {
    name: `tfjs-${backend} (f32)`,
    samples: batches.length * rows,
    losses,
    async setup() {
      await useBackend(backend);
      // The dataset on this backend (tensors live on the backend that made them).
      data = batches.map((b, i) => ({
        x: tf.tensor2d(x32[i]!, [b.rows, IMAGE_SIZE]),
        onehot: tf.oneHot(tf.tensor1d(Int32Array.from(b.labels), 'int32'), CLASSES) as tf.Tensor2D,
      }));
      vars = init.flatMap(({ inSize, outSize, weight, bias }) => [
        tf.variable(tf.tensor2d(Float32Array.from(weight), [inSize, outSize])),
        tf.variable(tf.tensor1d(Float32Array.from(bias))),
      ]);
      optimizer = tf.train.sgd(lr);
    },
    run() {
      const [W1, b1, W2, b2] = vars as [tf.Variable, tf.Variable, tf.Variable, tf.Variable];
      for (let b = 0; b < data.length; b++) {
        const { x, onehot } = data[b]!;
        const cost = optimizer.minimize(() => {
          const logits = tf.add(tf.matMul(tf.relu(tf.add(tf.matMul(x, W1), b1)), W2), b2);
          return tf.losses.softmaxCrossEntropy(onehot, logits) as tf.Scalar;
        }, true)!;
        losses[b] = cost.dataSync()[0]!;
        cost.dispose();
      }
    },
    after() {
      optimizer.dispose();
      for (const v of vars) v.dispose();
      for (const d of data) {
        d.x.dispose();
        d.onehot.dispose();
      }
    },
  };
}

export interface W2Options {
  /** Batches per run for the fast rows. */
  batches: number;
  /** Batches per run for the slow rows (tfjs). */
  slowBatches: number;
  /** Distinct batches generated (the stream cycles over them). */
  pool: number;
}

export function w2Contenders(o: W2Options): { reference: Learner; others: Learner[]; slow: Set<string> } {
  const init = initLayers(W2_SIZES, W2_SEED);
  const pool = imageBatches(Math.min(o.pool, o.batches), W2_BATCH, W2_DATA_SEED);
  const stream = Array.from({ length: o.batches }, (_, i) => pool[i % pool.length]!);
  const short = stream.slice(0, o.slowBatches);
  const tfCpu = tfjsW2('cpu', short, init, W2_LR), tfWasm = tfjsW2('wasm', short, init, W2_LR);
  return {
    reference: referenceW2(stream, init, W2_LR),
    others: [rxgradW2(stream, init, W2_LR), ...(canForcePureTs() ? [rxgradW2(stream, init, W2_LR, true)] : []), tfCpu, tfWasm],
    slow: new Set([tfCpu.name, tfWasm.name]),
  };
}
