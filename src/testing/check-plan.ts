/**
 * `planMismatches`: does an op's fixed-shape plan (see `OpSpec.plan`) give exactly what its forward
 * and backward give? The engine switches between the two from tick to tick (the plan for the
 * planned shapes, the op itself for any other), so anything short of the same bits would make a
 * training run depend on how it was scheduled. Compared with `Object.is`, so NaN, +0 and −0 count.
 */
import type { AnyOp } from '../ops/index.js';
import { type Tensor, formatShape, tensor } from '../tensor/index.js';

export interface PlanCheckOptions {
  /** The op's attributes (default `{}`). */
  attrs?: object;
  /** Which gradients to ask for (default: every differentiable input). */
  needs?: readonly boolean[];
  /**
   * Further inputs of the same shapes and dtypes, run through the same plan after `inputs`: a plan
   * reuses its storage, so a value left over from an earlier call shows up here.
   */
  again?: readonly (readonly Tensor[])[];
}

export interface PlanCheckReport {
  /** False when the op has no plan hook or declined these inputs (nothing was compared). */
  planned: boolean;
  /** Each difference found, naming the call, the result and the first element that differs. */
  mismatches: string[];
}

/** An upstream gradient of `like`'s shape: varied values, signs and an exact zero, from the index alone. */
function upstream(like: Tensor): Tensor {
  const values = Array.from({ length: like.size }, (_, i) => (((i * 7919) % 13) - 6) / 3);
  return tensor(values, { shape: [...like.shape], dtype: like.dtype });
}

function compare(what: string, got: Tensor | null | undefined, want: Tensor | null | undefined, out: string[]): void {
  if ((got ?? null) === null || (want ?? null) === null) {
    if ((got ?? null) !== (want ?? null)) out.push(`${what}: ${got ? 'a tensor' : 'null'} where the op gives ${want ? 'a tensor' : 'null'}`);
    return;
  }
  const g = got!, w = want!;
  if (formatShape(g.shape) !== formatShape(w.shape) || g.dtype !== w.dtype) {
    out.push(`${what}: ${formatShape(g.shape)} ${g.dtype} where the op gives ${formatShape(w.shape)} ${w.dtype}`);
    return;
  }
  for (let i = 0; i < g.size; i++) {
    if (!Object.is(g.data[i], w.data[i])) {
      out.push(`${what}: element ${i} is ${g.data[i]} where the op gives ${w.data[i]}`);
      return;
    }
  }
}

/**
 * Runs `op`'s plan for `inputs` (then for each of `again`) beside the op's own forward and backward,
 * and lists every difference. The same upstream gradient is used for both.
 *
 * @example
 * const { planned, mismatches } = planMismatches(myOp, [tensor([[1, 2]]), tensor([[3], [4]])]);
 * expect(planned).toBe(true);
 * expect(mismatches).toEqual([]);
 */
export function planMismatches(op: AnyOp, inputs: readonly Tensor[], options: PlanCheckOptions = {}): PlanCheckReport {
  const attrs = options.attrs ?? {};
  const needs = options.needs ?? inputs.map((_, i) => op.isDifferentiable(i));
  const plan = op.plan === null ? null : op.plan(inputs, attrs, needs);
  if (plan === null) return { planned: false, mismatches: [] };
  const mismatches: string[] = [];
  [inputs, ...(options.again ?? [])].forEach((args, call) => {
    const want = op.forward(args, attrs);
    const got = plan.forward(args);
    compare(`${op.name} plan, call ${call + 1}, forward`, got, want, mismatches);
    const g = upstream(want);
    const wantGrads = op.backward(g, { inputs: args, output: want, attrs }, needs);
    const gotGrads = plan.backward(g);
    for (let j = 0; j < args.length; j++) {
      compare(`${op.name} plan, call ${call + 1}, gradient ${j}${needs[j] ? '' : ' (not asked for)'}`, gotGrads[j], needs[j] ? wantGrads[j] : null, mismatches);
    }
  });
  return { planned: true, mismatches };
}
