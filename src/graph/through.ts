import { Observable, type OperatorFunction } from 'rxjs';
import type { Tensor } from '../index-core.js';
import { asInput } from './feed-value.js';
import { Execution } from './execution.js';
import { type Frame, isFrame } from './frame.js';
import { GraphError, type Node } from './node.js';
import { Program } from './program.js';
import { type Feedable, type TrainSpec, lossSpecs, matchFeeds } from './stream.js';

export interface ThroughOptions<S> {
  /** The input nodes, in the order `feed` returns their values. */
  inputs: readonly Node[];
  /** One value per input (tensors or nested arrays) from a sample. */
  feed: (sample: S) => readonly Feedable[];
  /** Losses to train after each sample's forward pass (optionally weighted). */
  train?: readonly TrainSpec[];
  /** Further nodes to differentiate (visible on their `grad$`). */
  wrt?: readonly Node[];
}

/**
 * Runs each sample of a stream through the graph, one complete tick at a time: the sample's forward
 * pass, then (with `train`) its backward pass, then the output frame is emitted. Whatever reacts to
 * the gradients (a subscriber of a parameter's `grad$` that updates it, an optimizer) has therefore
 * acted before the next sample's forward pass reads the parameters: sequential semantics, exactly
 * a PyTorch training loop.
 *
 * Samples are stamped 0, 1, 2, … unless they arrive as `{ tick, value }` frames. A synchronous source
 * of any length runs without buffering and without growing the stack.
 *
 * @example
 * from(samples).pipe(through(loss, { inputs: [x, y], feed: (s) => [s.x, s.y], train: [loss] }))
 *   .subscribe(({ tick, value }) => console.log(tick, value.item()));
 */
export function through<S>(output: Node, options: ThroughOptions<S>): OperatorFunction<S | Frame<S>, Frame<Tensor>> {
  return (source) =>
    new Observable<Frame<Tensor>>((subscriber) => {
      // Read once (see learn): per-tick reads of each caller's options object go megamorphic.
      const feed = options.feed, inputCount = options.inputs.length;
      let program: Program;
      let positions: number[];
      try {
        program = new Program({ outputs: [output], losses: lossSpecs(options.train), wrt: options.wrt ?? [] });
        const byPosition = matchFeeds(program, options.inputs.map((n, i) => [n, i] as const));
        positions = byPosition; // positions[inputPosition] = index in options.inputs
      } catch (error) {
        subscriber.error(error);
        return;
      }
      const outSlot = program.slotOf.get(output)!;
      const dtypes = Array.from(program.inputSlots, (s) => program.nodes[s]!.dtype ?? 'float64');
      const values: Tensor[] = new Array(positions.length);
      // One tick at a time, so storage is recycled between samples; the emitted value is a copy.
      const execution = new Execution(
        program,
        {
          onTickDone: (record) => subscriber.next({ tick: record.tick, value: record.values[outSlot]!.clone() }),
          onError: (error) => subscriber.error(error),
        },
        { recycle: true },
      );
      execution.start();
      let count = 0;
      const subscription = source.subscribe({
        next: (item) => {
          let tick: number, sample: S;
          if (isFrame(item)) ({ tick, value: sample } = item as Frame<S>);
          else (tick = count), (sample = item as S);
          count++;
          let fed: readonly Feedable[];
          try {
            fed = feed(sample);
            if (fed.length !== inputCount) {
              throw new GraphError(`through: feed returned ${fed.length} values for ${inputCount} inputs at tick ${tick}`, tick);
            }
            for (let k = 0; k < positions.length; k++) {
              const v = fed[positions[k]!]!;
              values[k] = asInput(v, dtypes[k]!);
            }
          } catch (error) {
            execution.dispose(error);
            subscriber.error(error instanceof GraphError ? error : new GraphError(`through: cannot read sample at tick ${tick}: ${(error as Error).message}`, tick, { cause: error }));
            return;
          }
          execution.feedAll(tick, values);
        },
        error: (error) => {
          execution.dispose(error);
          subscriber.error(error);
        },
        complete: () => {
          execution.dispose();
          subscriber.complete();
        },
      });
      return () => {
        subscription.unsubscribe();
        execution.dispose();
      };
    });
}
