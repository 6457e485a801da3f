import { type Shape, formatShape } from '../tensor/index.js';

/**
 * An op failed: the message names the op, the shapes of its inputs and, inside a stream, the tick.
 * The original error is kept as `cause`.
 */
export class OpError extends Error {
  override readonly name = 'OpError';
  constructor(
    /** The op that failed. */
    readonly op: string,
    /** Shapes of the op's inputs (null where not known). */
    readonly shapes: readonly (Shape | null)[],
    /** What went wrong, in words. */
    readonly reason: string,
    /** The tick being processed, when the op ran inside a graph. */
    readonly tick?: number,
    options?: { cause?: unknown },
  ) {
    super(
      `${op}${tick === undefined ? '' : ` at tick ${tick}`}: ${reason} (inputs ${shapes.map((s) => (s ? formatShape(s) : '?')).join(', ') || 'none'})`,
      options,
    );
  }

  /** The same failure, placed at a tick (errors raised while wiring have none). */
  atTick(tick: number): OpError {
    return new OpError(this.op, this.shapes, this.reason, tick, { cause: this.cause });
  }
}

/** Wraps anything thrown by an op's forward or backward into an {@link OpError}. */
export function asOpError(op: string, shapes: readonly (Shape | null)[], error: unknown, tick?: number, phase = ''): OpError {
  if (error instanceof OpError) return tick === undefined || error.tick !== undefined ? error : error.atTick(tick);
  const message = error instanceof Error ? error.message : String(error);
  // Kernel messages start with the kernel's own name ("matmul: ..."); drop it when it repeats the op.
  const reason = message.startsWith(`${op}: `) ? message.slice(op.length + 2) : message;
  return new OpError(op, shapes, phase ? `${phase}: ${reason}` : reason, tick, { cause: error });
}
