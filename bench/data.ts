/**
 * Seeded data and initial weights shared by every implementation of a workload, so that all of
 * them compute the same maths from the same numbers. Nothing is downloaded: W1 is a generated
 * stream of 2-D points, W2 synthetic MNIST-shaped images (784 pixels, 10 classes) made from
 * class templates plus noise.
 *
 * The generator is a plain mulberry32 of our own, independent of rxgrad's, so the references in
 * bench/reference/ need nothing from rxgrad.
 */

/** A small seeded generator: mulberry32 for uniforms, Box–Muller for normals. */
export class SeededRandom {
  private state: number;
  private spare: number | null = null;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  uniform(low: number, high: number): number {
    return low + (high - low) * this.next();
  }

  normal(): number {
    if (this.spare !== null) {
      const s = this.spare;
      this.spare = null;
      return s;
    }
    let u = 0;
    while (u === 0) u = this.next();
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }
}

/** One dense layer's initial values: weight [in, out] row-major (x·W), bias [out]. */
export interface LayerInit {
  readonly inSize: number;
  readonly outSize: number;
  readonly weight: Float64Array;
  readonly bias: Float64Array;
}

/**
 * Initial values of an MLP with PyTorch nn.Linear's default distribution, U(−1/√in, 1/√in) for
 * weights and biases, drawn layer by layer from one seeded generator.
 */
export function initLayers(sizes: readonly number[], seed: number): LayerInit[] {
  const rng = new SeededRandom(seed);
  const layers: LayerInit[] = [];
  for (let l = 0; l + 1 < sizes.length; l++) {
    const inSize = sizes[l]!, outSize = sizes[l + 1]!;
    const bound = 1 / Math.sqrt(inSize);
    const weight = new Float64Array(inSize * outSize);
    for (let i = 0; i < weight.length; i++) weight[i] = rng.uniform(-bound, bound);
    const bias = new Float64Array(outSize);
    for (let i = 0; i < outSize; i++) bias[i] = rng.uniform(-bound, bound);
    layers.push({ inSize, outSize, weight, bias });
  }
  return layers;
}

/** One W1 sample: a point and its target, as a user's in-memory data would hold them. */
export interface PointSample {
  readonly x: Float64Array;
  readonly y: Float64Array;
}

/** The smooth W1 target, inside (0.15, 0.85) so a sigmoid output can fit it. */
export function pointTarget(x0: number, x1: number): number {
  return 0.5 + 0.35 * Math.sin(1.7 * x0) * Math.cos(1.3 * x1);
}

/**
 * The W1 stream: `count` samples cycling over `pool` distinct points drawn uniformly from
 * [−2, 2]² (the array holds references, so a long stream costs little memory).
 */
export function pointStream(count: number, pool: number, seed: number): PointSample[] {
  const rng = new SeededRandom(seed);
  const distinct: PointSample[] = [];
  for (let i = 0; i < Math.min(pool, count); i++) {
    const x0 = rng.uniform(-2, 2), x1 = rng.uniform(-2, 2);
    distinct.push({ x: Float64Array.of(x0, x1), y: Float64Array.of(pointTarget(x0, x1)) });
  }
  return Array.from({ length: count }, (_, i) => distinct[i % distinct.length]!);
}

/** One W2 mini-batch: `rows` images of 784 pixels, row-major, and their class labels. */
export interface ImageBatch {
  readonly rows: number;
  readonly x: Float64Array;
  readonly labels: Float64Array;
}

export const IMAGE_SIZE = 784;
export const CLASSES = 10;

/**
 * Synthetic MNIST-shaped data: each class has a template of three Gaussian blobs on a 28×28 grid;
 * an image is its class template, randomly shifted in brightness, plus Gaussian noise, clipped to
 * [0, 1]. Returns `batches` batches of `rows` images; labels are drawn uniformly.
 */
export function imageBatches(batches: number, rows: number, seed: number): ImageBatch[] {
  const rng = new SeededRandom(seed);
  const templates: Float64Array[] = [];
  for (let c = 0; c < CLASSES; c++) {
    const t = new Float64Array(IMAGE_SIZE);
    for (let blob = 0; blob < 3; blob++) {
      const cy = rng.uniform(6, 22), cx = rng.uniform(6, 22), s = rng.uniform(2, 4.5);
      for (let py = 0; py < 28; py++) {
        for (let px = 0; px < 28; px++) {
          const d2 = (py - cy) ** 2 + (px - cx) ** 2;
          t[py * 28 + px] = Math.max(t[py * 28 + px]!, Math.exp(-d2 / (2 * s * s)));
        }
      }
    }
    templates.push(t);
  }
  const out: ImageBatch[] = [];
  for (let b = 0; b < batches; b++) {
    const x = new Float64Array(rows * IMAGE_SIZE);
    const labels = new Float64Array(rows);
    for (let r = 0; r < rows; r++) {
      const c = Math.floor(rng.next() * CLASSES);
      labels[r] = c;
      const gain = rng.uniform(0.6, 1.2);
      const t = templates[c]!;
      for (let i = 0; i < IMAGE_SIZE; i++) {
        const v = gain * t[i]! + 0.25 * rng.normal();
        x[r * IMAGE_SIZE + i] = v < 0 ? 0 : v > 1 ? 1 : v;
      }
    }
    out.push({ rows, x, labels });
  }
  return out;
}

/** Mean of `values[from, to)`. */
export function meanOf(values: ArrayLike<number>, from: number, to: number): number {
  let s = 0;
  for (let i = from; i < to; i++) s += values[i]!;
  return s / (to - from);
}
