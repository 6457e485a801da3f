import { type MonoTypeOperatorFunction, Subject } from 'rxjs';
import { type Tensor, defineOp } from '../index-core.js';
import type { Frame } from './frame.js';
import { type Node, applyOp } from './node.js';

/**
 * Inserts a transform on the backward path: values pass through unchanged, and the gradient flowing
 * back through this point is replaced by `fn(gradient, tick)` — to clip, scale or log the gradient
 * entering a layer without changing its forward value (PyTorch's `register_hook`).
 *
 * Forward: `out = x`. Backward: `∂x = fn(g, tick)` (must keep g's shape and dtype).
 *
 * @example
 * const clip = (g: Tensor) => kernels.unary(g, (v) => Math.max(-1, Math.min(1, v)));
 * const h = x.pipe(matmul(W1), transformGrad(clip), add(b1));
 */
export function transformGrad(fn: (gradient: Tensor, tick: number) => Tensor): (source: Node) => Node {
  const op = defineOp({
    name: 'transformGrad',
    arity: 1,
    forward: ([x]) => x,
    backward: (g, { tick }) => [fn(g, tick ?? 0)],
  });
  return (source) => applyOp(op, [source], {});
}

/**
 * Like {@link transformGrad}, with RxJS operators: the gradient frames flowing back through this point
 * are piped through `operators`, which must emit exactly one frame synchronously per frame they
 * receive (map, tap, scan-like operators do; filter, delay or buffer do not, and are reported as
 * errors naming the tick). The operators are subscribed once per node, so stateful ones (scan) keep
 * their state across ticks and runs.
 *
 * @example
 * x.pipe(matmul(W1), pipeGrad(tap((f) => log(f.tick, f.value)), map((f) => ({ ...f, value: kernels.scale(f.value, 0.5) }))));
 */
export function pipeGrad(...operators: MonoTypeOperatorFunction<Frame<Tensor>>[]): (source: Node) => Node {
  const input = new Subject<Frame<Tensor>>();
  let received: Frame<Tensor>[] = [];
  let failure: unknown = null;
  let ended = false;
  const piped = operators.reduce((acc, op) => op(acc), input.asObservable());
  piped.subscribe({
    next: (frame) => received.push(frame),
    error: (error) => (failure = error),
    complete: () => (ended = true),
  });
  const op = defineOp({
    name: 'pipeGrad',
    arity: 1,
    forward: ([x]) => x,
    backward: (g, { tick }) => {
      const t = tick ?? 0;
      if (failure !== null) throw failure;
      if (ended) throw new Error('the gradient operators have completed and accept no more gradients');
      received = [];
      input.next({ tick: t, value: g });
      if (failure !== null) throw failure;
      if (received.length !== 1) {
        throw new Error(`the gradient operators emitted ${received.length} frames for tick ${t}; they must emit exactly one, synchronously`);
      }
      return [received[0]!.value];
    },
  });
  return (source) => applyOp(op, [source], {});
}
