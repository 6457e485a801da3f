import { type OperatorFunction, map } from 'rxjs';

/**
 * One value travelling through the graph: the tick names the sample (or mini-batch) it derives
 * from. Forward values and gradients both travel as frames.
 */
export interface Frame<T> {
  readonly tick: number;
  readonly value: T;
}

/** Is this a `{ tick, value }` frame (as opposed to a bare value to be stamped)? */
export function isFrame(x: unknown): x is Frame<unknown> {
  return typeof x === 'object' && x !== null && 'tick' in x && 'value' in x && typeof (x as Frame<unknown>).tick === 'number';
}

/**
 * Stamps each value with a tick: the n-th value gets tick `first + n`. Sources of a graph stamp their
 * samples so that every value derived from a sample carries its tick.
 *
 * @example
 * from(samples).pipe(stamp());          // { tick: 0, value: s0 }, { tick: 1, value: s1 }, …
 * from(rest).pipe(stamp(resumeAt));      // continue numbering after a checkpoint
 */
export function stamp<T>(first = 0): OperatorFunction<T, Frame<T>> {
  return map((value, i) => ({ tick: first + i, value }));
}
