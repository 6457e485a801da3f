/**
 * The reactive graph: nodes as observables, runs that join inputs by tick and send gradients back.
 */
import { installLifter } from '../index-core.js';
import { Node, applyOp } from './node.js';

declare module '../ops/symbolic.js' {
  interface SymbolicTypes {
    node: Node;
  }
}

installLifter(applyOp);

export { Node, Param, Constant, GraphError, input, param, constant, type StaticShape, type NodeKind } from './node.js';
export { type Frame, stamp, isFrame } from './frame.js';
export { stream, type StreamOptions, type Feed, type Feedable, type TrainSpec } from './stream.js';
export { through, type ThroughOptions } from './through.js';
export { run, runSync, type RunOptions, type RunResult } from './run.js';
export { retainedTicks } from './execution.js';
export { setCompiledTicks } from './compile-tick.js';
export { detach } from './detach.js';
export { transformGrad, pipeGrad } from './transform-grad.js';
