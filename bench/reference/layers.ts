/**
 * The hand-written reference: what a competent engineer writes in plain JavaScript for a small
 * dense network trained with SGD. Generic layer classes (any sizes, any batch up to `maxRows`)
 * over Float64Array, every buffer allocated once at construction, loops ordered so that the inner
 * loop walks contiguous memory. No unrolling, no fused special cases: this is the bar rxgrad is
 * measured against, so it is neither a straw man nor heroic.
 *
 * Conventions (the same maths as rxgrad and PyTorch): a batch is `rows` × features, row-major; a
 * dense layer computes x·W + b with W stored [in, out]; losses are means; SGD is θ ← θ − lr·∂L/∂θ.
 */

/** A layer of a sequential network. Buffers it returns are its own and are overwritten next call. */
export interface Layer {
  readonly inSize: number;
  readonly outSize: number;
  /** The output for `rows` rows of `x`. The layer keeps what its backward needs. */
  forward(x: Float64Array, rows: number): Float64Array;
  /** From ∂L/∂out, computes the parameter gradients and (when asked) returns ∂L/∂x. */
  backward(dy: Float64Array, rows: number, needInputGrad: boolean): Float64Array | null;
  /** Plain SGD on the gradients of the last backward. */
  step(lr: number): void;
}

/** A fully connected layer y = x·W + b. */
export class Dense implements Layer {
  readonly weight: Float64Array;
  readonly bias: Float64Array;
  private readonly dWeight: Float64Array;
  private readonly dBias: Float64Array;
  private readonly out: Float64Array;
  private readonly dx: Float64Array;
  private x: Float64Array;

  constructor(readonly inSize: number, readonly outSize: number, weight: Float64Array, bias: Float64Array, maxRows: number) {
    this.weight = Float64Array.from(weight);
    this.bias = Float64Array.from(bias);
    this.dWeight = new Float64Array(inSize * outSize);
    this.dBias = new Float64Array(outSize);
    this.out = new Float64Array(maxRows * outSize);
    this.dx = new Float64Array(maxRows * inSize);
    this.x = this.dx;
  }

  forward(x: Float64Array, rows: number): Float64Array {
    const { inSize: n, outSize: m, weight: w, bias: b, out } = this;
    this.x = x;
    for (let r = 0; r < rows; r++) {
      const o = r * m;
      for (let j = 0; j < m; j++) out[o + j] = b[j]!;
      for (let i = 0; i < n; i++) {
        const xv = x[r * n + i]!;
        const wo = i * m;
        for (let j = 0; j < m; j++) out[o + j] = out[o + j]! + xv * w[wo + j]!;
      }
    }
    return out;
  }

  backward(dy: Float64Array, rows: number, needInputGrad: boolean): Float64Array | null {
    const { inSize: n, outSize: m, weight: w, dWeight: dw, dBias: db, x, dx } = this;
    dw.fill(0);
    db.fill(0);
    for (let r = 0; r < rows; r++) {
      const o = r * m;
      for (let j = 0; j < m; j++) db[j] = db[j]! + dy[o + j]!;
      for (let i = 0; i < n; i++) {
        const xv = x[r * n + i]!;
        const wo = i * m;
        for (let j = 0; j < m; j++) dw[wo + j] = dw[wo + j]! + xv * dy[o + j]!;
      }
    }
    if (!needInputGrad) return null;
    for (let r = 0; r < rows; r++) {
      const o = r * m;
      for (let i = 0; i < n; i++) {
        const wo = i * m;
        let s = 0;
        for (let j = 0; j < m; j++) s += dy[o + j]! * w[wo + j]!;
        dx[r * n + i] = s;
      }
    }
    return dx;
  }

  step(lr: number): void {
    const { weight: w, dWeight: dw, bias: b, dBias: db } = this;
    for (let k = 0; k < w.length; k++) w[k] = w[k]! - lr * dw[k]!;
    for (let k = 0; k < b.length; k++) b[k] = b[k]! - lr * db[k]!;
  }
}

/** An elementwise activation: f on the way forward, f' (from the saved input or output) back. */
abstract class Activation implements Layer {
  readonly inSize: number;
  protected readonly out: Float64Array;
  protected readonly dx: Float64Array;
  protected x: Float64Array;

  constructor(readonly outSize: number, maxRows: number) {
    this.inSize = outSize;
    this.out = new Float64Array(maxRows * outSize);
    this.dx = new Float64Array(maxRows * outSize);
    this.x = this.out;
  }

  abstract forward(x: Float64Array, rows: number): Float64Array;
  abstract backward(dy: Float64Array, rows: number, needInputGrad: boolean): Float64Array | null;

  step(): void {}
}

export class Sigmoid extends Activation {
  forward(x: Float64Array, rows: number): Float64Array {
    const out = this.out, n = rows * this.outSize;
    for (let k = 0; k < n; k++) out[k] = 1 / (1 + Math.exp(-x[k]!));
    return out;
  }

  backward(dy: Float64Array, rows: number, needInputGrad: boolean): Float64Array | null {
    if (!needInputGrad) return null;
    const { out, dx } = this, n = rows * this.outSize;
    for (let k = 0; k < n; k++) dx[k] = dy[k]! * out[k]! * (1 - out[k]!);
    return dx;
  }
}

export class Relu extends Activation {
  forward(x: Float64Array, rows: number): Float64Array {
    const out = this.out, n = rows * this.outSize;
    this.x = x;
    for (let k = 0; k < n; k++) out[k] = x[k]! > 0 ? x[k]! : 0;
    return out;
  }

  backward(dy: Float64Array, rows: number, needInputGrad: boolean): Float64Array | null {
    if (!needInputGrad) return null;
    const { x, dx } = this, n = rows * this.outSize;
    for (let k = 0; k < n; k++) dx[k] = x[k]! > 0 ? dy[k]! : 0;
    return dx;
  }
}

export class Tanh extends Activation {
  forward(x: Float64Array, rows: number): Float64Array {
    const out = this.out, n = rows * this.outSize;
    for (let k = 0; k < n; k++) out[k] = Math.tanh(x[k]!);
    return out;
  }

  backward(dy: Float64Array, rows: number, needInputGrad: boolean): Float64Array | null {
    if (!needInputGrad) return null;
    const { out, dx } = this, n = rows * this.outSize;
    for (let k = 0; k < n; k++) dx[k] = dy[k]! * (1 - out[k]! * out[k]!);
    return dx;
  }
}

/** A loss: its value for a batch, and ∂L/∂prediction into a buffer of its own. */
export interface Loss<T> {
  forward(prediction: Float64Array, target: T, rows: number): number;
  /** ∂L/∂prediction for the batch of the last forward. */
  backward(): Float64Array;
}

/** Mean squared error over every element of the batch. */
export class MeanSquaredError implements Loss<Float64Array> {
  private readonly grad: Float64Array;
  private n = 0;

  constructor(readonly size: number, maxRows: number) {
    this.grad = new Float64Array(maxRows * size);
  }

  forward(p: Float64Array, y: Float64Array, rows: number): number {
    const n = (this.n = rows * this.size);
    let s = 0;
    for (let k = 0; k < n; k++) {
      const r = p[k]! - y[k]!;
      s += r * r;
      this.grad[k] = r;
    }
    return s / n;
  }

  backward(): Float64Array {
    const g = this.grad, scale = 2 / this.n;
    for (let k = 0; k < this.n; k++) g[k] = g[k]! * scale;
    return g;
  }
}

/** Softmax cross-entropy with integer labels (one per row), averaged over the rows. */
export class SoftmaxCrossEntropy implements Loss<ArrayLike<number>> {
  private readonly grad: Float64Array;
  private rows = 0;
  private labels: ArrayLike<number> = [];

  constructor(readonly classes: number, maxRows: number) {
    this.grad = new Float64Array(maxRows * classes);
  }

  forward(logits: Float64Array, labels: ArrayLike<number>, rows: number): number {
    const C = this.classes, g = this.grad;
    this.rows = rows;
    this.labels = labels;
    let total = 0;
    for (let r = 0; r < rows; r++) {
      const o = r * C;
      let max = -Infinity;
      for (let c = 0; c < C; c++) if (logits[o + c]! > max) max = logits[o + c]!;
      let z = 0;
      for (let c = 0; c < C; c++) {
        const e = Math.exp(logits[o + c]! - max);
        g[o + c] = e;
        z += e;
      }
      total += Math.log(z) - (logits[o + labels[r]!]! - max);
      // The softmax, kept for the backward.
      for (let c = 0; c < C; c++) g[o + c] = g[o + c]! / z;
    }
    return total / rows;
  }

  /** (softmax − onehot)/rows, written over the saved softmax. */
  backward(): Float64Array {
    const C = this.classes, g = this.grad, rows = this.rows;
    for (let r = 0; r < rows; r++) {
      const o = r * C;
      const k = o + this.labels[r]!;
      g[k] = g[k]! - 1;
      for (let c = 0; c < C; c++) g[o + c] = g[o + c]! / rows;
    }
    return g;
  }
}

/** Binary cross-entropy on a logit (one per row), averaged, computed stably. */
export class BceWithLogits implements Loss<ArrayLike<number>> {
  private readonly grad: Float64Array;
  private rows = 0;

  constructor(maxRows: number) {
    this.grad = new Float64Array(maxRows);
  }

  forward(z: Float64Array, y: ArrayLike<number>, rows: number): number {
    this.rows = rows;
    let total = 0;
    for (let r = 0; r < rows; r++) {
      const zr = z[r]!, yr = y[r]!;
      total += Math.max(zr, 0) - zr * yr + Math.log1p(Math.exp(-Math.abs(zr)));
      const p = zr >= 0 ? 1 / (1 + Math.exp(-zr)) : Math.exp(zr) / (1 + Math.exp(zr));
      this.grad[r] = p - yr;
    }
    return total / rows;
  }

  backward(): Float64Array {
    for (let r = 0; r < this.rows; r++) this.grad[r] = this.grad[r]! / this.rows;
    return this.grad;
  }
}

/** Layers applied in order. */
export class Sequential {
  constructor(readonly layers: readonly Layer[]) {}

  forward(x: Float64Array, rows: number): Float64Array {
    let h = x;
    for (const layer of this.layers) h = layer.forward(h, rows);
    return h;
  }

  /** Backpropagates ∂L/∂output; the first layer's input gradient is not computed. */
  backward(dOut: Float64Array, rows: number): void {
    let g = dOut;
    for (let l = this.layers.length - 1; l >= 0; l--) {
      const dx = this.layers[l]!.backward(g, rows, l > 0);
      if (dx !== null) g = dx;
    }
  }

  step(lr: number): void {
    for (const layer of this.layers) layer.step(lr);
  }
}
