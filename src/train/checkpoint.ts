/**
 * Checkpoints: everything a training run needs to resume as if it had never stopped — parameters,
 * optimizer and scheduler state, scaler and metric state, the last tick and the source position
 * (how many samples were consumed; for a file, the data rows read). Parameters travel as base64 of
 * their raw little-endian bytes, so the round trip is exact to the bit; a file save writes a
 * temporary file and renames it over the old one, so a crash never leaves half a checkpoint.
 *
 * A checkpoint is untrusted input: `restore` checks every shape against the parameters it is
 * restored into, and every byte count against its shape, before allocating anything.
 */
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname, basename, join } from 'node:path';
import { type DType, Tensor, allocate, formatShape, shapesEqual } from '../index-core.js';
import { GraphError, type Param } from '../graph/index.js';
import type { Optimizer, OptimizerState } from './optimizer.js';

export const CHECKPOINT_FORMAT = 'rxgrad-checkpoint';
export const CHECKPOINT_VERSION = 1;

/** A component whose state goes into checkpoints (schedulers, scalers, metrics). */
export interface Stateful {
  state(): unknown;
  load(state: unknown): void;
}

/** A scheduler's checkpoint interface (PyTorch naming). */
export interface SchedulerLike {
  stateDict(): unknown;
  loadStateDict(state: never): void;
}

export interface EncodedTensor {
  name: string;
  shape: number[];
  dtype: DType;
  /** base64 of the little-endian bytes. */
  data: string;
}

export interface Checkpoint {
  format: typeof CHECKPOINT_FORMAT;
  version: number;
  /** The last tick whose update is included. */
  tick: number;
  /** Samples consumed from the source (resume by skipping this many). */
  position: number;
  params: EncodedTensor[];
  optimizer: OptimizerState | null;
  scheduler: unknown;
  /** Named state of scalers, metrics and anything else stateful. */
  components: Record<string, unknown>;
}

/** What a checkpoint captures and restores into. */
export interface CheckpointParts {
  params: readonly Param[];
  optimizer?: Optimizer<never> | Optimizer;
  scheduler?: SchedulerLike;
  /** Scalers, metrics …, by a stable name. */
  components?: Record<string, Stateful>;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
/** Refuse anything larger than this many elements per tensor before allocating (1e8 ≈ 800 MB). */
const MAX_ELEMENTS = 1e8;

function encode(name: string, t: Tensor): EncodedTensor {
  if (!LITTLE_ENDIAN) throw new GraphError('checkpoints need a little-endian platform');
  const bytes = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
  return { name, shape: [...t.shape], dtype: t.dtype, data: Buffer.from(bytes).toString('base64') };
}

function decode(e: EncodedTensor, expected: Tensor, where: string): Tensor {
  if (typeof e !== 'object' || e === null) throw new GraphError(`checkpoint: ${where} is not an object`);
  if (!Array.isArray(e.shape) || !e.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw new GraphError(`checkpoint: ${where} has an invalid shape ${JSON.stringify(e.shape)}`);
  }
  const size = e.shape.reduce((a, b) => a * b, 1);
  if (size > MAX_ELEMENTS) throw new GraphError(`checkpoint: ${where} has an absurd shape ${formatShape(e.shape)} (${size} elements)`);
  if (!shapesEqual(e.shape, expected.shape)) {
    throw new GraphError(`checkpoint: ${where} has shape ${formatShape(e.shape)}, the parameter has ${formatShape(expected.shape)}`);
  }
  if (e.dtype !== expected.dtype) throw new GraphError(`checkpoint: ${where} is ${String(e.dtype)}, the parameter is ${expected.dtype}`);
  if (typeof e.data !== 'string') throw new GraphError(`checkpoint: ${where} has no data`);
  const width = e.dtype === 'float64' ? 8 : 4;
  // base64 length is known before decoding: 4 characters per 3 bytes.
  if (Math.floor((e.data.length * 3) / 4) - (e.data.endsWith('==') ? 2 : e.data.endsWith('=') ? 1 : 0) !== size * width) {
    throw new GraphError(`checkpoint: ${where} holds the wrong number of bytes for ${formatShape(e.shape)} ${e.dtype}`);
  }
  const bytes = Buffer.from(e.data, 'base64');
  const data = allocate(e.dtype, size);
  new Uint8Array(data.buffer, data.byteOffset, data.byteLength).set(bytes);
  return new Tensor(data, expected.shape);
}

/**
 * Captures a checkpoint.
 *
 * @example
 * const ckpt = snapshot({ params, optimizer, components: { scaler, accuracy } }, { tick, position });
 * saveCheckpoint('run.ckpt.json', ckpt);
 */
export function snapshot(parts: CheckpointParts, at: { tick: number; position: number }): Checkpoint {
  const components: Record<string, unknown> = {};
  for (const [name, c] of Object.entries(parts.components ?? {})) components[name] = c.state();
  return {
    format: CHECKPOINT_FORMAT,
    version: CHECKPOINT_VERSION,
    tick: at.tick,
    position: at.position,
    params: parts.params.map((p, i) => encode(p.name ?? `param${i}`, p.value)),
    optimizer: parts.optimizer ? parts.optimizer.stateDict(parts.params) : null,
    scheduler: parts.scheduler ? parts.scheduler.stateDict() : null,
    components,
  };
}

/**
 * Restores a checkpoint into live parameters, optimizer, scheduler and components, after validating
 * all of it (nothing is changed when anything is wrong). Returns the tick and source position to
 * resume from.
 */
export function restore(checkpoint: unknown, parts: CheckpointParts): { tick: number; position: number } {
  const c = checkpoint as Partial<Checkpoint>;
  if (typeof c !== 'object' || c === null || c.format !== CHECKPOINT_FORMAT) throw new GraphError('checkpoint: not an rxgrad checkpoint');
  if (c.version !== CHECKPOINT_VERSION) throw new GraphError(`checkpoint: version ${String(c.version)} is not supported (expected ${CHECKPOINT_VERSION})`);
  if (!Number.isSafeInteger(c.tick) || !Number.isSafeInteger(c.position) || (c.position as number) < 0) {
    throw new GraphError('checkpoint: tick and position must be integers');
  }
  if (!Array.isArray(c.params) || c.params.length !== parts.params.length) {
    throw new GraphError(`checkpoint: holds ${Array.isArray(c.params) ? c.params.length : 'no'} parameters, the model has ${parts.params.length}`);
  }
  const values = parts.params.map((p, i) => decode(c.params![i]!, p.value, `parameter ${i} (${p.name})`));
  for (const name of Object.keys(parts.components ?? {})) {
    if (!(name in (c.components ?? {}))) throw new GraphError(`checkpoint: no state for component "${name}"`);
  }
  if (parts.optimizer) {
    if (c.optimizer === null || c.optimizer === undefined) throw new GraphError('checkpoint: no optimizer state');
    parts.optimizer.loadStateDict(parts.params, c.optimizer);
  }
  if (parts.scheduler) parts.scheduler.loadStateDict(c.scheduler as never);
  for (const [name, comp] of Object.entries(parts.components ?? {})) comp.load(c.components![name]);
  parts.params.forEach((p, i) => p.assign(values[i]!));
  return { tick: c.tick as number, position: c.position as number };
}

/** Writes a checkpoint atomically: a temporary file in the same folder, flushed, then renamed. */
export function saveCheckpoint(path: string, checkpoint: Checkpoint): void {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, JSON.stringify(checkpoint));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

/** Reads a checkpoint file (validation happens in {@link restore}). */
export function loadCheckpoint(path: string): unknown {
  return JSON.parse(readFileSync(path, 'utf8'));
}
