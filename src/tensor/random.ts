import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import type { DType } from './dtype.js';
import { allocate } from './dtype.js';
import { type Shape, checkShape, sizeOf } from './shape.js';
import { Tensor } from './tensor.js';

type PureGenerator = ReturnType<typeof xoroshiro128plus>;

/**
 * A seeded random number generator (xoroshiro128+ from pure-rand, the generator fast-check itself
 * uses). Same seed, same numbers, on every platform.
 *
 * @example
 * const rng = new Rng(42);
 * rng.uniform();   // in [0, 1)
 * rng.normal();    // standard normal
 */
export class Rng {
  private readonly gen: PureGenerator;
  private spareNormal: number | null = null;

  constructor(seed: number) {
    if (!Number.isInteger(seed)) throw new TypeError(`Rng: seed must be an integer, got ${seed}`);
    this.gen = xoroshiro128plus(seed | 0);
  }

  /** A float64 in [0, 1) with 53 random bits. */
  uniform(): number {
    return uniformFloat64(this.gen);
  }

  /** A standard normal deviate (Marsaglia's polar method; the second deviate is kept for the next call). */
  normal(): number {
    if (this.spareNormal !== null) {
      const v = this.spareNormal;
      this.spareNormal = null;
      return v;
    }
    let u: number, v: number, s: number;
    do {
      u = 2 * this.uniform() - 1;
      v = 2 * this.uniform() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const f = Math.sqrt((-2 * Math.log(s)) / s);
    this.spareNormal = v * f;
    return u * f;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.uniform() * n);
  }
}

let globalRng = new Rng((Math.random() * 0x7fffffff) | 0);

/** Seeds the generator used when no `seed` or `rng` is given (like `torch.manual_seed`). */
export function manualSeed(seed: number): void {
  globalRng = new Rng(seed);
}

export interface RandomOptions {
  /** Seed a fresh generator for this call: same seed, same tensor. */
  seed?: number;
  /** Draw from this generator instead (it advances). Ignored when `seed` is given. */
  rng?: Rng;
  dtype?: DType;
}

function generatorFor(options: RandomOptions): Rng {
  if (options.seed !== undefined) return new Rng(options.seed);
  return options.rng ?? globalRng;
}

function fillWith(shape: Shape, options: RandomOptions, draw: (rng: Rng) => number): Tensor {
  checkShape(shape);
  const rng = generatorFor(options);
  const data = allocate(options.dtype ?? 'float64', sizeOf(shape));
  for (let i = 0; i < data.length; i++) data[i] = draw(rng);
  return new Tensor(data, shape.slice());
}

/** Uniform numbers in [0, 1). */
export function rand(shape: Shape, options: RandomOptions = {}): Tensor {
  return fillWith(shape, options, (r) => r.uniform());
}

/** Standard normal numbers. */
export function randn(shape: Shape, options: RandomOptions = {}): Tensor {
  return fillWith(shape, options, (r) => r.normal());
}

/** Uniform numbers in [low, high). */
export function uniform(shape: Shape, low: number, high: number, options: RandomOptions = {}): Tensor {
  if (!(high >= low)) throw new RangeError(`uniform(): high (${high}) must not be below low (${low})`);
  return fillWith(shape, options, (r) => low + (high - low) * r.uniform());
}

/** Normal numbers with the given mean and standard deviation. */
export function normal(shape: Shape, mean: number, std: number, options: RandomOptions = {}): Tensor {
  if (!(std >= 0)) throw new RangeError(`normal(): std must be non-negative, got ${std}`);
  return fillWith(shape, options, (r) => mean + std * r.normal());
}
