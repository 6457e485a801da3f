/**
 * What a backward must satisfy besides matching finite differences (PyTorch's gradcheck checks the
 * first four on every call): run twice it gives bit-identical results; a zero upstream gradient
 * gives exactly zero input gradients; every needed gradient has its input's shape and dtype; it
 * writes into none of `g`, the inputs or the output; and asking for fewer gradients does not change
 * the ones asked for.
 */
import { type Tensor, formatShape, shapesEqual, zerosLike } from '../tensor/index.js';
import type { Differentiable } from './differentiable.js';
import type { InvariantFailure } from './report.js';

export type Grads = readonly (Tensor | null)[];

/** A copy of a tensor's storage, to detect writes. */
export function snapshot(t: Tensor): Float64Array | Float32Array {
  return t.data.slice();
}

/** Bitwise equality of storage (NaN equals NaN, −0 differs from 0). */
export function sameBits(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

/** The first element where two storages differ, for messages. */
function firstDifference(a: ArrayLike<number>, b: ArrayLike<number>): string {
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return `flat element ${i}: ${a[i]} then ${b[i]}`;
  return 'lengths differ';
}

export interface BackwardCaller {
  /** Calls the backward and counts it; returns the thrown error instead of throwing. */
  (g: Tensor, needs: readonly boolean[]): Grads | { error: unknown };
}

export function isError(r: Grads | { error: unknown }): r is { error: unknown } {
  return !Array.isArray(r);
}

/**
 * Checks the structure of a backward's result: one entry per input, a tensor of the input's shape
 * and dtype wherever it was needed. Returns, per input, whether its gradient can be compared.
 */
export function checkStructure(grads: Grads, inputs: readonly Tensor[], needs: readonly boolean[], failures: InvariantFailure[]): boolean[] {
  const usable = inputs.map(() => false);
  if (!Array.isArray(grads) || grads.length !== inputs.length) {
    failures.push({ check: 'arity', message: `backward returned ${Array.isArray(grads) ? `${grads.length} gradients` : String(grads)} for ${inputs.length} inputs` });
    if (!Array.isArray(grads)) return usable;
  }
  inputs.forEach((x, i) => {
    if (!needs[i]) return;
    const g = grads[i];
    if (g === null || g === undefined) {
      failures.push({ check: 'missing-gradient', input: i, message: `gradient of input ${i} was needed, backward returned ${String(g)}` });
      return;
    }
    if (!shapesEqual(g.shape, x.shape)) {
      failures.push({ check: 'shape', input: i, message: `gradient of input ${i} has shape ${formatShape(g.shape)}, the input ${formatShape(x.shape)}` });
      return;
    }
    if (g.dtype !== x.dtype) failures.push({ check: 'dtype', input: i, message: `gradient of input ${i} is ${g.dtype}, the input ${x.dtype}` });
    usable[i] = true;
  });
  return usable;
}

export interface InvariantContext {
  fn: Differentiable;
  inputs: readonly Tensor[];
  output: Tensor;
  /** Snapshots of the inputs' and the output's storage taken before any call. */
  inputSnapshots: readonly (Float64Array | Float32Array)[];
  outputSnapshot: Float64Array | Float32Array;
  needs: readonly boolean[];
  call: BackwardCaller;
  /** A random upstream gradient with nonzero, well-separated components. */
  g: Tensor;
  failures: InvariantFailure[];
  /** Only the structure check (invariants: false). */
  structureOnly: boolean;
}

/** Runs the invariant checks; returns per input whether its gradient has a comparable shape. */
export function checkInvariants(ctx: InvariantContext): boolean[] {
  const { inputs, output, needs, call, g, failures } = ctx;
  const gSnapshot = snapshot(g);
  const noUsable = inputs.map(() => false);

  const first = call(g, needs);
  if (isError(first)) {
    failures.push({ check: 'backward-threw', message: `backward threw: ${describeError(first.error)}` });
    return noUsable;
  }
  const usable = checkStructure(first, inputs, needs, failures);
  if (ctx.structureOnly) return usable;

  const mutated = (): void => {
    inputs.forEach((x, i) => {
      if (!sameBits(x.data, ctx.inputSnapshots[i]!)) {
        failures.push({ check: 'mutation', input: i, message: `backward wrote into input ${i} (${firstDifference(ctx.inputSnapshots[i]!, x.data)})` });
      }
    });
    if (!sameBits(output.data, ctx.outputSnapshot)) {
      failures.push({ check: 'mutation', message: `backward wrote into the saved output (${firstDifference(ctx.outputSnapshot, output.data)})` });
    }
    if (!sameBits(g.data, gSnapshot)) failures.push({ check: 'mutation', message: `backward wrote into g (${firstDifference(gSnapshot, g.data)})` });
  };
  mutated();
  if (failures.some((f) => f.check === 'mutation')) return usable;

  const second = call(g, needs);
  if (isError(second)) {
    failures.push({ check: 'backward-threw', message: `backward threw on its second call with the same arguments: ${describeError(second.error)}` });
  } else {
    inputs.forEach((_, i) => {
      const a = first[i], b = second[i];
      if (!usable[i] || !a) return;
      if (!b || !sameBits(a.data, b.data)) {
        failures.push({ check: 'reentrant', input: i, message: `backward is not reentrant: two calls with the same g differ for input ${i} (${b ? firstDifference(a.data, b.data) : 'second call returned null'})` });
      }
    });
  }

  const zero = call(zerosLike(g), needs);
  if (isError(zero)) {
    failures.push({ check: 'backward-threw', message: `backward threw on a zero upstream gradient: ${describeError(zero.error)}` });
  } else {
    inputs.forEach((_, i) => {
      const z = zero[i];
      if (!needs[i] || !z) return;
      for (let j = 0; j < z.data.length; j++) {
        if (z.data[j] !== 0) {
          failures.push({ check: 'zero-gradient', input: i, message: `a zero upstream gradient gives ${z.data[j]} at flat element ${j} of input ${i}'s gradient (must be exactly 0)` });
          break;
        }
      }
    });
  }

  const wanted = needs.flatMap((n, i) => (n ? [i] : []));
  if (wanted.length > 1) {
    for (const i of wanted) {
      const only = needs.map((_, k) => k === i);
      const alone = call(g, only);
      const full = first[i];
      if (isError(alone)) {
        failures.push({ check: 'backward-threw', input: i, message: `backward threw when only input ${i}'s gradient was needed: ${describeError(alone.error)}` });
      } else if (usable[i] && full && (!alone[i] || !sameBits(alone[i]!.data, full.data))) {
        failures.push({ check: 'needs', input: i, message: `input ${i}'s gradient changes when only it is needed (${alone[i] ? firstDifference(full.data, alone[i]!.data) : 'returned null'})` });
      }
    }
  }
  mutated();
  return usable;
}

export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
