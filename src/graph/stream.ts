import { Observable, type ObservableInput, from } from 'rxjs';
import { type NestedArray, type Tensor, type TypedArray, isTensor, tensor } from '../index-core.js';
import { Execution, type TickRecord } from './execution.js';
import { type Frame, isFrame } from './frame.js';
import { GraphError, type Node } from './node.js';
import { type LossSpec, Program } from './program.js';

/** What a source may emit for an input: a tensor (or numbers), bare or stamped with a tick. */
export type Feedable = Tensor | TypedArray | NestedArray;

/** One input and the source that feeds it. */
export type Feed = readonly [Node, ObservableInput<Frame<Feedable> | Feedable>];

/** A loss to train, optionally with a weight (its gradient seed). */
export type TrainSpec = Node | readonly [Node, number];

export interface StreamOptions {
  /** The source of every input the outputs (and losses) depend on. */
  feed: readonly Feed[];
  /**
   * Losses to train: after each tick's forward their gradients flow back to every trainable
   * parameter (see each parameter's `grad$`). Several losses add, scaled by their weights.
   */
  train?: readonly TrainSpec[];
  /** Nodes whose gradients should also be computed (inputs allowed), visible on their `grad$`. */
  wrt?: readonly Node[];
  /** Most ticks allowed in flight (default 1024). */
  maxInFlight?: number;
}

export function lossSpecs(train: readonly TrainSpec[] | undefined): LossSpec[] {
  return (train ?? []).map((t) => {
    const [node, weight] = Array.isArray(t) ? (t as readonly [Node, number]) : [t as Node, 1];
    if (!Number.isFinite(weight)) throw new GraphError(`loss ${node.name}: weight must be a finite number, got ${weight}`);
    return { node, weight };
  });
}

/** Checks that every input the program needs is fed exactly once; returns the feed per input position. */
export function matchFeeds<S>(program: Program, feeds: readonly (readonly [Node, S])[]): S[] {
  const bySlot = new Map<number, S>();
  for (const [node, source] of feeds) {
    const slot = program.slotOf.get(node);
    if (node.kind !== 'input') throw new GraphError(`feed: ${node.name} is not an input node`);
    if (slot === undefined) continue; // fed but not needed: ignored, like an unused placeholder
    if (bySlot.has(slot)) throw new GraphError(`feed: input ${node.name} is fed twice`);
    bySlot.set(slot, source);
  }
  return Array.from(program.inputSlots, (slot) => {
    const source = bySlot.get(slot);
    if (source === undefined) throw new GraphError(`feed: input ${program.nodes[slot]!.name} is needed but not fed`);
    return source;
  });
}

/**
 * Streams samples through a graph: subscribes to each input's source, joins the inputs by tick,
 * and emits the output's frame for every tick as soon as it is computed, whatever the order in which
 * inputs arrive. Losses in `train` are differentiated after each tick's forward pass.
 *
 * Each subscription is one independent run: it subscribes to the sources, and unsubscribing tears
 * everything down. The run completes when every source has completed (an input that completes
 * leaving a tick unfinished is an error), and errors — a shape mismatch, a failing op — reach the
 * subscriber with the op, the shapes and the tick.
 *
 * Sources may emit `{ tick, value }` frames (any order, any interleaving across inputs) or bare
 * tensors, which are stamped 0, 1, 2, … in arrival order per source.
 *
 * @example
 * const x = input([2]), y = input([1]);
 * const out = x.pipe(matmul(W1), add(b1), sigmoid(), matmul(W2), add(b2));
 * const loss = mse(out, y);
 * W1.grad$.subscribe(({ tick, value }) => console.log(tick, value.toString()));
 * stream(loss, { feed: [[x, xs$], [y, ys$]], train: [loss] }).subscribe(({ tick, value }) => …);
 */
export function stream(output: Node, options: StreamOptions): Observable<Frame<Tensor>>;
export function stream(outputs: readonly Node[], options: StreamOptions): Observable<Frame<Tensor[]>>;
export function stream(outputs: Node | readonly Node[], options: StreamOptions): Observable<Frame<Tensor | Tensor[]>> {
  const single = !Array.isArray(outputs);
  const list: readonly Node[] = single ? [outputs as Node] : (outputs as readonly Node[]);
  return new Observable<Frame<Tensor | Tensor[]>>((subscriber) => {
    let program: Program;
    let sources: ObservableInput<Frame<Feedable> | Feedable>[];
    try {
      program = new Program({ outputs: list, losses: lossSpecs(options.train), wrt: options.wrt ?? [] });
      sources = matchFeeds(program, options.feed);
    } catch (error) {
      subscriber.error(error);
      return;
    }
    const outputSlots = program.outputSlots;
    const execution = new Execution(
      program,
      {
        onOutputs: (record: TickRecord) => {
          const value = single ? record.values[outputSlots[0]!]! : Array.from(outputSlots, (s) => record.values[s]!);
          subscriber.next({ tick: record.tick, value });
        },
        onTickDone: () => {
          if (execution.finished) {
            execution.dispose();
            subscriber.complete();
          }
        },
        onError: (error) => subscriber.error(error),
      },
      options.maxInFlight === undefined ? {} : { maxInFlight: options.maxInFlight },
    );
    execution.start();
    if (sources.length === 0) {
      // Nothing feeds the graph, so no tick will ever arrive: an empty run.
      execution.dispose();
      subscriber.complete();
      return;
    }
    const subscriptions: { unsubscribe(): void }[] = [];
    sources.forEach((source, position) => {
      if (subscriber.closed) return;
      let count = 0;
      subscriptions.push(from(source).subscribe({
        next: (item) => {
          let tick: number, value: unknown;
          if (isFrame(item)) ({ tick, value } = item);
          else (tick = count), (value = item);
          count++;
          if (!isTensor(value)) {
            try {
              value = tensor(value as NestedArray | TypedArray);
            } catch (error) {
              execution.dispose(error);
              subscriber.error(new GraphError(`input ${program.nodes[program.inputSlots[position]!]!.name}: tick ${tick} is not a tensor: ${(error as Error).message}`, tick));
              return;
            }
          }
          execution.feed(position, tick, value as Tensor);
        },
        error: (error) => {
          execution.dispose(error);
          subscriber.error(error);
        },
        complete: () => {
          execution.completeInput(position);
          if (execution.finished && !execution.closed) {
            execution.dispose();
            subscriber.complete();
          }
        },
      }));
    });
    return () => {
      for (const s of subscriptions) s.unsubscribe();
      execution.dispose();
    };
  });
}
