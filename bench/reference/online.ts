/**
 * The hand-written reference of the online workloads (W1, and W4's context row): generic Dense and
 * Sigmoid layers from ./layers.ts, one sample at a time, an MSE loss and SGD, float64.
 */
import type { LayerInit, PointSample } from '../data.js';
import type { Learner } from '../harness.js';
import { Dense, MeanSquaredError, Sequential, Sigmoid } from './layers.js';

/** The hand-written reference: generic Dense/Sigmoid layers, preallocated buffers, float64. */
export function referenceW1(samples: readonly PointSample[], init: readonly LayerInit[], lr: number): Learner {
  const losses = new Float64Array(samples.length);
  let net: Sequential, loss: MeanSquaredError;
  return {
    name: 'hand-written JS (f64)',
    samples: samples.length,
    losses,
    setup() {
      const layers = [];
      for (let l = 0; l < init.length; l++) {
        const { inSize, outSize, weight, bias } = init[l]!;
        layers.push(new Dense(inSize, outSize, weight, bias, 1), new Sigmoid(outSize, 1));
      }
      net = new Sequential(layers);
      loss = new MeanSquaredError(init[init.length - 1]!.outSize, 1);
    },
    run() {
      for (let i = 0; i < samples.length; i++) {
        const s = samples[i]!;
        losses[i] = loss.forward(net.forward(s.x, 1), s.y, 1);
        net.backward(loss.backward(), 1);
        net.step(lr);
      }
    },
  };
}
