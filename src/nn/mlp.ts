import { type DType, Rng, elu, gelu, leakyRelu, relu, sigmoid, softplus, tanh } from '../index-core.js';
import type { Node, Param } from '../graph/index.js';
import type { Initializer } from './init.js';
import { type Linear, linear } from './linear.js';

/** An activation by name, or any pipeable operator on nodes. */
export type Activation = ActivationName | ((x: Node) => Node);

/** The activations `mlp` knows by name, each with the op's default attributes. */
export type ActivationName = 'relu' | 'leakyRelu' | 'elu' | 'gelu' | 'softplus' | 'sigmoid' | 'tanh';

const BY_NAME: Record<ActivationName, () => (x: Node) => Node> = {
  relu: () => relu(),
  leakyRelu: () => leakyRelu(),
  elu: () => elu(),
  gelu: () => gelu(),
  softplus: () => softplus(),
  sigmoid: () => sigmoid(),
  tanh: () => tanh(),
};

export interface MlpOptions {
  /** Between hidden layers (default 'relu'). */
  activation?: Activation;
  /** After the last layer (default none: a linear output). */
  outputActivation?: Activation;
  /** Biases in every layer (default true). */
  bias?: boolean;
  /** Weight initialiser of every layer (default nn.Linear's). */
  init?: Initializer;
  /** Bias initialiser of every layer (default nn.Linear's). */
  biasInit?: Initializer;
  /** Seed of one generator for all layers, drawn layer by layer: same seed, same network. */
  seed?: number;
  /** Draw from this generator instead. */
  rng?: Rng;
  /** Prefix of the parameter names: `linear0.weight` by default, `<name>.linear0.weight` with a name. */
  name?: string;
  dtype?: DType;
}

/** A multilayer perceptron: a pipeable operator with its layers and parameters attached. */
export interface Mlp {
  (x: Node): Node;
  readonly layers: Linear[];
  /** Every layer's [weight, bias], in order. */
  readonly params: Param[];
}

function activationOp(a: Activation, what: string): (x: Node) => Node {
  if (typeof a === 'function') return a;
  const make = Object.hasOwn(BY_NAME, a) ? BY_NAME[a] : undefined;
  if (make === undefined) {
    throw new RangeError(`mlp(): unknown ${what} '${String(a)}' (use ${Object.keys(BY_NAME).map((k) => `'${k}'`).join(', ')} or an operator)`);
  }
  return make();
}

/**
 * A stack of {@link linear} layers with `sizes[0]` inputs and `sizes[sizes.length − 1]` outputs,
 * `activation` between them and `outputActivation` (if any) after the last.
 *
 * @example
 * const net = mlp([2, 8, 1], { activation: 'tanh', outputActivation: 'sigmoid', seed: 0 });
 * const loss = bce(x.pipe(net), y);
 * const opt = adam({ lr: 0.01 });   // step it with net.params
 */
export function mlp(sizes: readonly number[], options: MlpOptions = {}): Mlp {
  if (!Array.isArray(sizes) || sizes.length < 2) throw new RangeError(`mlp(): sizes must list at least the input and output sizes, got [${String(sizes)}]`);
  const { activation = 'relu', outputActivation, seed, name } = options;
  const hidden = activationOp(activation, 'activation');
  const last = outputActivation === undefined ? null : activationOp(outputActivation, 'outputActivation');
  const rng = seed !== undefined ? new Rng(seed) : options.rng;
  const layers = sizes.slice(1).map((out, i) =>
    linear(sizes[i]!, out, {
      bias: options.bias, init: options.init, biasInit: options.biasInit, rng, dtype: options.dtype,
      name: name === undefined ? `linear${i}` : `${name}.linear${i}`,
    }));
  const net = (x: Node): Node => {
    let h = x;
    layers.forEach((layer, i) => {
      h = layer(h);
      if (i < layers.length - 1) h = hidden(h);
      else if (last !== null) h = last(h);
    });
    return h;
  };
  return Object.assign(net, { layers, params: layers.flatMap((l) => l.params) });
}
