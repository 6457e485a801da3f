import type { DType, Shape, Tensor } from '../index-core.js';
import type { OpPlan } from '../ops/index.js';

/**
 * An op slot's plan (see `OpSpec.plan`) with the input shapes and dtypes it was made for: a compiled
 * tick runs the plan while the inputs still have them, and the op's own forward and backward otherwise.
 */
export class PlannedSlot {
  private readonly shapes: readonly (readonly number[])[];
  private readonly dtypes: readonly DType[];

  constructor(readonly plan: OpPlan, inputs: readonly Tensor[]) {
    this.shapes = inputs.map((t) => [...t.shape]);
    this.dtypes = inputs.map((t) => t.dtype);
  }

  /** Whether these inputs have the shapes and dtypes the plan was made for. */
  fits(inputs: readonly Tensor[]): boolean {
    const shapes = this.shapes, dtypes = this.dtypes;
    for (let j = 0; j < shapes.length; j++) {
      const t = inputs[j]!;
      if (t.dtype !== dtypes[j]) return false;
      if (!sameShape(t.shape, shapes[j]!)) return false;
    }
    return true;
  }
}

function sameShape(a: Shape, b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
