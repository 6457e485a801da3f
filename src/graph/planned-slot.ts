import { type DType, type Shape, type Tensor, shapesEqual } from '../index-core.js';
import type { OpPlan } from '../ops/index.js';

/**
 * An op slot's plan (see `OpSpec.plan`) with the input shapes and dtypes it was made for: a compiled
 * tick runs the plan while the inputs still have them (it checks only the inputs that can change,
 * with fitsAt), and the op's own forward and backward otherwise.
 */
export class PlannedSlot {
  private readonly shapes: readonly (readonly number[])[];
  /** The planned dtype of each input. */
  readonly dtypes: readonly DType[];
  /**
   * Per input, the last shape array found equal to the planned one. Shapes are never mutated, and
   * most inputs bring the same array every tick (a parameter's, a plan's output, a fed vector's),
   * so comparing the reference usually settles it.
   */
  private readonly seen: Shape[];

  constructor(readonly plan: OpPlan, inputs: readonly Tensor[]) {
    this.shapes = inputs.map((t) => [...t.shape]);
    this.dtypes = inputs.map((t) => t.dtype);
    this.seen = inputs.map((t) => t.shape);
  }

  /** Whether input j has the planned shape and dtype. */
  fitsAt(j: number, t: Tensor): boolean {
    if (t.dtype !== this.dtypes[j]) return false;
    const shape = t.shape;
    if (shape === this.seen[j]) return true;
    if (!shapesEqual(shape, this.shapes[j]!)) return false;
    this.seen[j] = shape;
    return true;
  }
}

