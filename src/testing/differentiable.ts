import { type AnyOp, isOp } from '../ops/index.js';
import type { Tensor } from '../tensor/index.js';
import { Node } from '../graph/index.js';
import { type GraphCheckOptions, fromGraph } from './from-graph.js';

/**
 * Anything the gradient checker can check: a function of tensors with its vector–Jacobian product.
 * An op made by `defineOp` becomes one through {@link fromOp}; a whole graph can be adapted to it
 * the same way. The checker uses nothing else.
 */
export interface Differentiable {
  /** Names the function in every report and error. */
  name: string;
  /** Whether input `i` carries a gradient (default: every input does). */
  isDifferentiable?(i: number): boolean;
  /** Computes the output. Must not write into `inputs`. */
  forward(inputs: readonly Tensor[]): Tensor;
  /**
   * The gradient with respect to each input, given the gradient `g` of a scalar loss with respect to
   * `output` (which is `forward(inputs)`). One entry per input: a tensor of that input's shape and
   * dtype, or null where `needs[i]` is false or the input is not differentiable. Must not write into
   * `g`, `inputs` or `output`.
   */
  backward(g: Tensor, inputs: readonly Tensor[], output: Tensor, needs: readonly boolean[]): readonly (Tensor | null)[];
}

/**
 * Adapts an op record (from `defineOp`, built-in or custom) with fixed attributes.
 *
 * @example
 * const f = fromOp(softmax, { axis: 0 });
 * f.forward([tensor([1, 2])]);
 */
export function fromOp(op: AnyOp, attrs: object = {}): Differentiable & { attrs: object } {
  return {
    name: op.name,
    attrs,
    isDifferentiable: (i) => op.isDifferentiable(i),
    forward: (inputs) => op.apply(inputs, attrs),
    backward: (g, inputs, output, needs) => op.backward(g, { inputs, output, attrs }, needs),
  };
}

/**
 * A graph to check: its scalar output, the inputs and parameters to check (their values are the
 * `inputs` given to `gradcheck`, in this order), and fixed values for any other inputs.
 */
export interface GraphSpec extends GraphCheckOptions {
  output: Node;
}

/** An op record, a Differentiable or a graph, as `gradcheck` accepts them. */
export function toDifferentiable(f: Differentiable | AnyOp | GraphSpec, attrs?: object): Differentiable {
  if (isOp(f)) return fromOp(f, attrs);
  if ('output' in f && f.output instanceof Node) {
    if (attrs !== undefined) throw new TypeError(`gradcheck(graph): 'attrs' applies to ops made by defineOp`);
    const { output, ...options } = f;
    return fromGraph(output, options);
  }
  if (attrs !== undefined) {
    throw new TypeError(`gradcheck(${f.name}): 'attrs' applies to ops made by defineOp; a Differentiable carries its own`);
  }
  return f as Differentiable;
}
