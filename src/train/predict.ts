import type { OperatorFunction } from 'rxjs';
import type { Tensor } from '../index-core.js';
import { type Feedable, type Frame, type Node, through } from '../graph/index.js';

export interface PredictOptions<S> {
  /** The model's input nodes, in the order `feed` returns their values. */
  inputs: readonly Node[];
  /** One value per input from a sample. */
  feed: (sample: S) => readonly Feedable[];
  /** The node to evaluate. */
  output: Node;
}

/**
 * Inference over a stream: one frame `{ tick, value }` per sample, computed with the parameters as
 * they are when the sample arrives. Nothing is trained and no per-tick state is kept.
 *
 * @example
 * from(rows).pipe(predict({ inputs: [x], feed: (r) => [r.x], output: out }))
 *   .subscribe(({ tick, value }) => console.log(tick, value.item()));
 */
export function predict<S>(options: PredictOptions<S>): OperatorFunction<S | Frame<S>, Frame<Tensor>> {
  return through(options.output, { inputs: options.inputs, feed: options.feed });
}
