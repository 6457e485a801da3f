/**
 * Gradient checking of whole graphs: a graph with a chosen output becomes a {@link Differentiable}
 * whose inputs are the input nodes and parameters being checked. Its forward feeds (or assigns) the
 * given values and runs the graph; its backward runs the graph's own backward with the upstream
 * gradient as the seed. So `gradcheck` checks a user's whole custom pipeline exactly as it checks
 * one op.
 */
import { type Node, Param, runSync } from '../graph/index.js';
import type { Tensor } from '../tensor/index.js';
import type { Differentiable } from './differentiable.js';

export interface GraphCheckOptions {
  /** The input nodes and parameters to check, in the order their values are given to `gradcheck`. */
  wrt: readonly Node[];
  /** Fixed values for the other inputs the output needs (targets, labels…). */
  feed?: readonly (readonly [Node, Tensor])[];
  /** A name for reports (default: the output's name). */
  name?: string;
}

/**
 * Adapts a graph to the checker.
 *
 * @example
 * const f = fromGraph(loss, { wrt: [x, W1, b1], feed: [[y, Y]] });
 * assertGradcheck(f, [X, W1.value, b1.value]);
 */
export function fromGraph(output: Node, options: GraphCheckOptions): Differentiable {
  const wrt = options.wrt;
  for (const n of wrt) {
    if (n.kind !== 'input' && !(n instanceof Param)) {
      throw new TypeError(`fromGraph: ${n.name} is neither an input nor a parameter, so it cannot be perturbed`);
    }
  }
  /** Runs `body` with the checked parameters set to the given values, then puts them back. */
  const withValues = <T>(values: readonly Tensor[], body: (feed: [Node, Tensor][]) => T): T => {
    const saved: [Param, Tensor][] = [];
    const feed: [Node, Tensor][] = (options.feed ?? []).map(([n, v]) => [n, v]);
    try {
      wrt.forEach((n, i) => {
        if (n instanceof Param) {
          saved.push([n, n.value]);
          n.assign(values[i]!);
        } else feed.push([n, values[i]!]);
      });
      return body(feed);
    } finally {
      for (const [p, v] of saved) p.assign(v);
    }
  };
  return {
    name: options.name ?? `graph(${output.name})`,
    forward: (values) => withValues(values, (feed) => runSync(output, { feed }).value),
    backward: (g, values) => withValues(values, (feed) => runSync(output, { feed, wrt, seed: g }).grads),
  };
}
