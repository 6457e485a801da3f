/**
 * Weight initialisers with `torch.nn.init`'s formulas (same gains, fans and operation order), for
 * rxgrad's weight layout: a weight is stored [in, out] and used as x·W, the transpose of
 * nn.Linear's [out, in]. So fan_in = shape[0] and fan_out = shape[1] here, where PyTorch reads
 * size(1) and size(0). The random numbers come from rxgrad's seeded generator, not PyTorch's.
 */
import { type DType, type Rng, type Shape, type Tensor, formatShape, normal, uniform } from '../index-core.js';

/** The nonlinearities {@link calculateGain} knows (PyTorch's names, camelCased). */
export type Nonlinearity =
  | 'linear' | 'conv1d' | 'conv2d' | 'conv3d' | 'convTranspose1d' | 'convTranspose2d' | 'convTranspose3d'
  | 'sigmoid' | 'tanh' | 'relu' | 'leakyRelu' | 'selu';

const LINEAR_LIKE = new Set(['linear', 'conv1d', 'conv2d', 'conv3d', 'convTranspose1d', 'convTranspose2d', 'convTranspose3d', 'sigmoid']);

/**
 * The recommended gain for a nonlinearity (`torch.nn.init.calculate_gain`): 1 for linear/conv and
 * sigmoid, 5/3 for tanh, √2 for relu, √(2/(1 + slope²)) for leakyRelu (slope = `param`, default
 * 0.01), 3/4 for selu.
 *
 * @example
 * calculateGain('tanh');             // 1.6666666666666667
 * calculateGain('leakyRelu', 0.2);   // 1.3867504905630728
 */
export function calculateGain(nonlinearity: Nonlinearity, param?: number): number {
  if (LINEAR_LIKE.has(nonlinearity)) return 1;
  if (nonlinearity === 'tanh') return 5.0 / 3;
  if (nonlinearity === 'relu') return Math.sqrt(2.0);
  if (nonlinearity === 'selu') return 3.0 / 4;
  if (nonlinearity === 'leakyRelu') {
    if (param !== undefined && (typeof param !== 'number' || !Number.isFinite(param))) {
      throw new TypeError(`calculateGain(): negative_slope ${String(param)} not a valid number`);
    }
    const slope = param ?? 0.01;
    return Math.sqrt(2.0 / (1 + slope ** 2));
  }
  throw new RangeError(`calculateGain(): Unsupported nonlinearity ${String(nonlinearity)}`);
}

/**
 * fan_in and fan_out of a weight in rxgrad's [in, out] layout.
 *
 * NOTE: PyTorch also accepts conv kernels [out, in, ...receptive field]; rxgrad has no conv layers
 * and no layout for them, so only matrices are accepted.
 */
export function calculateFans(shape: Shape): { fanIn: number; fanOut: number } {
  if (shape.length !== 2) {
    throw new RangeError(`fans can be computed for a weight matrix [in, out] only, got shape ${formatShape(shape)}`);
  }
  return { fanIn: shape[0]!, fanOut: shape[1]! };
}

/** Where the random numbers come from, and the dtype of the result. */
export interface InitOptions {
  /** Seed a fresh generator: same seed, same tensor. */
  seed?: number;
  /** Draw from this generator (it advances). Ignored when `seed` is given. */
  rng?: Rng;
  dtype?: DType;
}

/** A weight initialiser: shape in, tensor out (every function of this file that takes a shape is one). */
export type Initializer = (shape: Shape, options: InitOptions) => Tensor;

export interface XavierOptions extends InitOptions {
  /** Scaling factor (default 1; see {@link calculateGain}). */
  gain?: number;
}

/** Xavier/Glorot's standard deviation: gain·√(2/(fan_in + fan_out)). */
export function xavierStd(shape: Shape, gain = 1): number {
  const { fanIn, fanOut } = calculateFans(shape);
  return gain * Math.sqrt(2.0 / (fanIn + fanOut));
}

/**
 * U(−a, a) with a = gain·√(6/(fan_in + fan_out)) (`xavier_uniform_`; computed as √3·std, as PyTorch).
 *
 * @example
 * const W = param(xavierUniform([784, 128], { gain: calculateGain('tanh'), seed: 1 }));
 */
export function xavierUniform(shape: Shape, options: XavierOptions = {}): Tensor {
  const a = Math.sqrt(3.0) * xavierStd(shape, options.gain ?? 1);
  return uniform(shape, -a, a, options);
}

/**
 * N(0, std²) with std = gain·√(2/(fan_in + fan_out)) (`xavier_normal_`).
 *
 * @example
 * const W = param(xavierNormal([4, 3], { seed: 7 }));
 */
export function xavierNormal(shape: Shape, options: XavierOptions = {}): Tensor {
  return normal(shape, 0, xavierStd(shape, options.gain ?? 1), options);
}

export interface KaimingOptions extends InitOptions {
  /** Negative slope of the leaky rectifier that follows (used by 'leakyRelu'; default 0). */
  a?: number;
  /** Preserve the variance of the forward pass ('fanIn', default) or of the backward pass ('fanOut'). */
  mode?: 'fanIn' | 'fanOut';
  /** Default 'leakyRelu' (with slope `a`, so √2 by default, as relu). */
  nonlinearity?: Nonlinearity;
}

/** He/Kaiming's standard deviation: gain/√fan, gain = calculateGain(nonlinearity, a). */
export function kaimingStd(shape: Shape, options: Omit<KaimingOptions, keyof InitOptions> = {}): number {
  const { a = 0, mode = 'fanIn', nonlinearity = 'leakyRelu' } = options;
  if (mode !== 'fanIn' && mode !== 'fanOut') throw new RangeError(`Mode ${String(mode)} not supported, please use one of ['fanIn', 'fanOut']`);
  const { fanIn, fanOut } = calculateFans(shape);
  const gain = calculateGain(nonlinearity, a);
  return gain / Math.sqrt(mode === 'fanIn' ? fanIn : fanOut);
}

/**
 * U(−bound, bound) with bound = √3·gain/√fan (`kaiming_uniform_`).
 *
 * @example
 * const W = param(kaimingUniform([128, 64], { nonlinearity: 'relu', seed: 3 }));
 */
export function kaimingUniform(shape: Shape, options: KaimingOptions = {}): Tensor {
  const bound = Math.sqrt(3.0) * kaimingStd(shape, options);
  return uniform(shape, -bound, bound, options);
}

/**
 * N(0, std²) with std = gain/√fan (`kaiming_normal_`).
 *
 * @example
 * const W = param(kaimingNormal([128, 64], { mode: 'fanOut', nonlinearity: 'relu', seed: 3 }));
 */
export function kaimingNormal(shape: Shape, options: KaimingOptions = {}): Tensor {
  return normal(shape, 0, kaimingStd(shape, options), options);
}

/**
 * nn.Linear's default weight, shape [in, out]: `kaiming_uniform_(a=√5)`, i.e. U(−1/√in, 1/√in)
 * (computed the way PyTorch does, so the bound is √3·√(1/3)/√in, a few ulps off 1/√in).
 *
 * @example
 * const W = param(linearWeight([2, 4], { seed: 0 }));   // entries in (−0.7071, 0.7071)
 */
export function linearWeight(shape: Shape, options: InitOptions = {}): Tensor {
  return kaimingUniform(shape, { ...options, a: Math.sqrt(5) });
}

/**
 * nn.Linear's default bias for a layer with `inFeatures` inputs: U(−1/√in, 1/√in), shape [outFeatures]
 * (all zeros when inFeatures is 0).
 *
 * @example
 * const b = param(linearBias(2, 4, { seed: 0 }));
 */
export function linearBias(inFeatures: number, outFeatures: number, options: InitOptions = {}): Tensor {
  const bound = inFeatures > 0 ? 1 / Math.sqrt(inFeatures) : 0;
  return uniform([outFeatures], -bound, bound, options);
}
