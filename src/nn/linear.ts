import { type DType, Rng, add, matmul } from '../index-core.js';
import { type Node, type Param, param } from '../graph/index.js';
import { type InitOptions, type Initializer, linearBias, linearWeight } from './init.js';

export interface LinearOptions {
  /** Add a bias (default true). */
  bias?: boolean;
  /** Initialiser of the weight [in, out] (default: nn.Linear's, U(±1/√in)). */
  init?: Initializer;
  /** Initialiser of the bias [out] (default: nn.Linear's, U(±1/√in)). */
  biasInit?: Initializer;
  /** Seed of the layer's own generator: same seed, same parameters. */
  seed?: number;
  /** Draw from this generator instead (it advances: weight first, then bias). */
  rng?: Rng;
  /** Prefix of the parameter names (default 'linear': `linear.weight`, `linear.bias`). */
  name?: string;
  /** Dtype of the parameters (default float64). */
  dtype?: DType;
}

/** A fully connected layer: a pipeable operator with its parameters attached. */
export interface Linear {
  (x: Node): Node;
  readonly inFeatures: number;
  readonly outFeatures: number;
  readonly weight: Param;
  readonly bias: Param | null;
  /** [weight, bias] (or [weight]), the order to pass to an optimizer. */
  readonly params: Param[];
}

/**
 * A fully connected layer y = x·W + b, with W [in, out] and b [out] created here with PyTorch
 * nn.Linear's default initialisation. x may be [in] or [batch, in] (or batched further).
 *
 * @example
 * const layer = linear(2, 4, { seed: 1, name: 'hidden' });
 * const h = x.pipe(layer, sigmoid());
 * layer.weight.name;   // 'hidden.weight'
 * const opt = sgd({ lr: 0.1 }); // step it with layer.params
 */
export function linear(inFeatures: number, outFeatures: number, options: LinearOptions = {}): Linear {
  for (const [what, n] of [['inFeatures', inFeatures], ['outFeatures', outFeatures]] as const) {
    if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`linear(): ${what} must be a non-negative integer, got ${String(n)}`);
  }
  const { bias = true, init = linearWeight, seed, name = 'linear', dtype } = options;
  const rng = seed !== undefined ? new Rng(seed) : options.rng;
  const draw: InitOptions = rng === undefined ? { dtype } : { rng, dtype };
  const weight = param(init([inFeatures, outFeatures], draw), { name: `${name}.weight` });
  const b = bias
    ? param(options.biasInit ? options.biasInit([outFeatures], draw) : linearBias(inFeatures, outFeatures, draw), { name: `${name}.bias` })
    : null;
  for (const [p, shape] of [[weight, [inFeatures, outFeatures]], [b, [outFeatures]]] as const) {
    if (p !== null && (p.value.rank !== shape.length || p.value.shape.some((d, i) => d !== shape[i]))) {
      throw new RangeError(`linear(): the initialiser of ${p.name} returned shape [${p.value.shape.join(',')}], expected [${shape.join(',')}]`);
    }
  }
  const layer = (x: Node): Node => (b === null ? x.pipe(matmul(weight)) : x.pipe(matmul(weight), add(b)));
  return Object.assign(layer, { inFeatures, outFeatures, weight, bias: b, params: b === null ? [weight] : [weight, b] });
}
