/**
 * Every built-in op, in one place. The gradient property test iterates this object and its test
 * table is keyed by {@link OpName}, so an op missing from the table is a compile error; a spec
 * checks that every file in src/ops/ that defines an op is listed here.
 */
import { abs } from './abs.js';
import { add } from './add.js';
import { affine } from './affine.js';
import { bce } from './bce.js';
import { bceWithLogits } from './bce-with-logits.js';
import { concat } from './concat.js';
import { crossEntropy } from './cross-entropy.js';
import { dense } from './dense.js';
import { div } from './div.js';
import { elu } from './elu.js';
import { exp } from './exp.js';
import { gelu } from './gelu.js';
import { huber } from './huber.js';
import { l1 } from './l1.js';
import { leakyRelu } from './leaky-relu.js';
import { log } from './log.js';
import { logSoftmax } from './log-softmax.js';
import { matmul } from './matmul.js';
import { max } from './max.js';
import { mean } from './mean.js';
import { mse } from './mse.js';
import { mul } from './mul.js';
import { neg } from './neg.js';
import { nll } from './nll.js';
import { pow } from './pow.js';
import { relu } from './relu.js';
import { reshape } from './reshape.js';
import { sigmoid } from './sigmoid.js';
import { slice } from './slice.js';
import { softmax } from './softmax.js';
import { softplus } from './softplus.js';
import { sqrt } from './sqrt.js';
import { square } from './square.js';
import { sub } from './sub.js';
import { sum } from './sum.js';
import { tanh } from './tanh.js';
import { transpose } from './transpose.js';

export const registry = {
  abs,
  add,
  affine,
  bce,
  bceWithLogits,
  concat,
  crossEntropy,
  dense,
  div,
  elu,
  exp,
  gelu,
  huber,
  l1,
  leakyRelu,
  log,
  logSoftmax,
  matmul,
  max,
  mean,
  mse,
  mul,
  neg,
  nll,
  pow,
  relu,
  reshape,
  sigmoid,
  slice,
  softmax,
  softplus,
  sqrt,
  square,
  sub,
  sum,
  tanh,
  transpose,
} as const;

/** The name of a built-in op. */
export type OpName = keyof typeof registry;
