/**
 * The seam between the ops layer and the graph layer. Ops know that some of their arguments may be
 * symbolic (graph nodes) and hand those calls to a lifter, which the graph layer installs when it
 * loads; ops never import the graph, so the numeric layers stay free of RxJS.
 */
import type { Tensor } from '../tensor/index.js';
import type { AnyOp } from './op.js';

/** Brand carried by graph nodes. */
export const SYMBOLIC: unique symbol = Symbol.for('rxgrad.symbolic') as never;

/** Anything the graph layer accepts as an op argument besides tensors and numbers. */
export interface Symbolic {
  readonly [SYMBOLIC]: true;
}

/**
 * Filled in by the graph layer through declaration merging (`node: Node`), so that an op applied to
 * nodes is typed as returning a node.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface SymbolicTypes {}

/** The type an op returns when applied to nodes. */
export type SymbolicNode = SymbolicTypes extends { node: infer N } ? N : Symbolic;

/** What an op may receive in its symbolic form. */
export type SymbolicInput = Symbolic | Tensor | number;

export type Lifter = (op: AnyOp, inputs: readonly SymbolicInput[], attrs: object | undefined) => Symbolic;

let lifter: Lifter | null = null;

/** Installed once by the graph layer. */
export function installLifter(fn: Lifter): void {
  lifter = fn;
}

export function lift(op: AnyOp, inputs: readonly SymbolicInput[], attrs: object | undefined): Symbolic {
  if (lifter === null) throw new Error(`${op.name}: graph nodes were passed, but the graph layer is not loaded (import from 'rxgrad')`);
  return lifter(op, inputs, attrs);
}

export function isSymbolic(value: unknown): value is Symbolic {
  return typeof value === 'object' && value !== null && (value as { [SYMBOLIC]?: unknown })[SYMBOLIC] === true;
}
