import { type NestedArray, type Tensor, type TypedArray, isTensor, tensor, zerosLike } from '../index-core.js';
import { Execution } from './execution.js';
import { GraphError, type Node } from './node.js';
import { Program } from './program.js';
import { lossSpecs, matchFeeds, type TrainSpec } from './stream.js';

export interface RunOptions {
  /** A value for every input the output depends on. */
  feed: readonly (readonly [Node, Tensor | TypedArray | NestedArray])[];
  /**
   * Nodes to differentiate the output with respect to (parameters, inputs, intermediate nodes). When
   * given, the output is treated as the loss: its gradient is seeded with ones (the gradient of the
   * sum of its elements).
   */
  wrt?: readonly Node[];
  /** Further nodes whose values to return (in `values`). */
  outputs?: readonly Node[];
  /**
   * Losses to train instead of the output (their gradients add, with optional weights). Defaults to
   * the output itself when `wrt` is given.
   */
  train?: readonly TrainSpec[];
  /** The tick to stamp (default 0); it appears on every face's frames. */
  tick?: number;
  /**
   * The gradient to seed the output with (its shape), instead of ones: the run then returns the
   * vector–Jacobian product ⟨seed, ∂output/∂wrt⟩. Ignored when `train` is given.
   */
  seed?: Tensor;
}

export interface RunResult {
  /** The output's value (named for the common case where the output is the loss). */
  loss: Tensor;
  /** The same as `loss`. */
  value: Tensor;
  /** Gradient for each node of `wrt`, in order; zeros where no gradient reaches a node. */
  grads: Tensor[];
  /** Values of `outputs`, in order. */
  values: Tensor[];
}

/**
 * Runs one tick through a graph synchronously: feeds the inputs, computes the output (and any extra
 * outputs), and, when `wrt` is given, backpropagates and returns the gradients. For tests, for the
 * gradient checker and for exploring a network in a REPL.
 *
 * @example
 * const { loss, grads: [dW1, db1] } = runSync(loss, { feed: [[x, X], [y, Y]], wrt: [W1, b1] });
 */
export function runSync(output: Node, options: RunOptions): RunResult {
  const wrt = options.wrt ?? [];
  const extra = options.outputs ?? [];
  const losses = options.train ? lossSpecs(options.train) : wrt.length > 0 ? [{ node: output, weight: 1, ...(options.seed ? { seed: options.seed } : {}) }] : [];
  const program = new Program({ outputs: [output, ...extra], losses, wrt });
  const values = matchFeeds(program, options.feed).map((v, i) => {
    if (isTensor(v)) return v;
    const node = program.nodes[program.inputSlots[i]!]!;
    return tensor(v as NestedArray | TypedArray, { dtype: node.dtype ?? 'float64' });
  });
  let result: RunResult | null = null;
  let failure: unknown = null;
  const execution = new Execution(program, {
    onTickDone: (record) => {
      const value = record.values[program.slotOf.get(output)!]!;
      const grads = wrt.map((n) => {
        const slot = program.slotOf.get(n)!;
        return record.grads[slot] ?? zerosLike(record.values[slot] ?? (n as unknown as { value: Tensor }).value);
      });
      result = { loss: value, value, grads, values: extra.map((n) => record.values[program.slotOf.get(n)!]!) };
    },
    onError: (error) => (failure = error),
  });
  execution.start();
  execution.feedAll(options.tick ?? 0, values);
  execution.dispose(failure ?? undefined);
  if (failure !== null) throw failure;
  if (result === null) throw new GraphError(`run: the output ${output.name} was not computed`);
  return result;
}

/**
 * {@link runSync} as a promise, for `await` in async code.
 *
 * @example
 * const { loss, grads } = await run(lossNode, { feed: [[x, X], [y, Y]], wrt: [W1, b1] });
 */
export async function run(output: Node, options: RunOptions): Promise<RunResult> {
  return runSync(output, options);
}
