/**
 * Data steps: nodes whose forward depends on state learned from the data itself (a running feature
 * scaler), not from gradients. `learn` updates them from each sample's raw inputs between the
 * prediction and the training pass, so the prediction uses the state before the sample and the
 * training pass the state after it — River's pipeline semantics.
 */
import type { AnyOp, Tensor } from '../index-core.js';
import { GraphError } from '../graph/index.js';
import type { Program } from '../graph/program.js';

/** Marks an op whose attributes carry a learner of data statistics. */
export interface DataLearner {
  /** Learns from one tick's value of the op's input (rows along the leading axis, or one row). */
  learnFrom(value: Tensor): void;
}

/** An op whose node learns from data: `attrs.learner` is updated by `learn` once per tick. */
export interface DataStepOp {
  readonly dataStep: true;
}

export interface DataStep {
  learn(tick: number, inputValues: readonly Tensor[], program: Program): void;
}

export function isDataStepOp(op: AnyOp | null): boolean {
  return op !== null && (op as unknown as Partial<DataStepOp>).dataStep === true;
}

/** The data steps of a program, each bound to the input position that feeds it. */
export function findDataSteps(program: Program): DataStep[] {
  const steps: DataStep[] = [];
  for (const s of program.opSlots) {
    if (!isDataStepOp(program.ops[s]!)) continue;
    const node = program.nodes[s]!;
    const source = node.inputs[0]!;
    const position = program.inputSlots.indexOf(program.slotOf.get(source)!);
    if (source.kind !== 'input' || position < 0) {
      throw new GraphError(`${node.name}: a data step (scaler) must read an input node directly, not ${source.name}`);
    }
    const learner = (node.attrs as { learner: DataLearner }).learner;
    steps.push({ learn: (_tick, values) => learner.learnFrom(values[position]!) });
  }
  return steps;
}
