/**
 * Exact JSON encoding of float64 numbers and tensors for checkpoints, and the checks that refuse
 * untrusted checkpoint data before anything is allocated from it.
 *
 * JSON numbers round-trip every finite double exactly (shortest round-trip printing), but JSON has
 * no NaN, no infinities and prints −0 as 0; those four are written as the strings below.
 */
import { type DType, type Shape, Tensor, allocate, formatShape } from '../index-core.js';

/** A number as a checkpoint stores it: finite numbers as themselves, the rest as strings. */
export type EncodedNumber = number | 'NaN' | 'Infinity' | '-Infinity' | '-0';

/** A tensor as a checkpoint stores it (row-major data). */
export interface EncodedTensor {
  shape: number[];
  data: EncodedNumber[];
}

export function encodeNumber(v: number): EncodedNumber {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return 'Infinity';
  if (v === -Infinity) return '-Infinity';
  if (Object.is(v, -0)) return '-0';
  return v;
}

const SPECIAL: Record<string, number> = { NaN: NaN, Infinity: Infinity, '-Infinity': -Infinity, '-0': -0 };

/** Decodes one number; throws a TypeError naming `what` for anything else. */
export function decodeNumber(v: unknown, what: string): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && Object.hasOwn(SPECIAL, v)) return SPECIAL[v]!;
  throw new TypeError(`${what}: expected a number (or "NaN", "Infinity", "-Infinity", "-0"), got ${describe(v)}`);
}

export function encodeTensor(t: Tensor): EncodedTensor {
  return { shape: [...t.shape], data: Array.from(t.data, encodeNumber) };
}

/**
 * Checks an encoded tensor against the shape it must have, element by element, without allocating;
 * call {@link decodeTensor} once everything in the checkpoint has been checked.
 */
export function checkEncodedTensor(v: unknown, shape: Shape, what: string): void {
  if (!isRecord(v)) throw new TypeError(`${what}: expected { shape, data }, got ${describe(v)}`);
  const s = v.shape, d = v.data;
  if (!Array.isArray(s) || s.length !== shape.length || s.some((n, i) => n !== shape[i])) {
    throw new RangeError(`${what}: shape ${Array.isArray(s) ? `[${s.slice(0, 8).map((n) => (typeof n === 'number' ? String(n) : describe(n))).join(',')}${s.length > 8 ? ',…' : ''}]` : describe(s)} does not match the parameter's ${formatShape(shape)}`);
  }
  let size = 1;
  for (const n of shape) size *= n;
  if (!Array.isArray(d) || d.length !== size) {
    throw new RangeError(`${what}: data must be an array of ${size} numbers for shape ${formatShape(shape)}, got ${Array.isArray(d) ? `${d.length} entries` : describe(d)}`);
  }
  for (let i = 0; i < d.length; i++) decodeNumber(d[i], `${what}.data[${i}]`);
}

/** Builds the tensor of an encoded tensor already accepted by {@link checkEncodedTensor}. */
export function decodeTensor(v: EncodedTensor, shape: Shape, dtype: DType): Tensor {
  const data = allocate(dtype, v.data.length);
  for (let i = 0; i < data.length; i++) data[i] = decodeNumber(v.data[i], 'data');
  return new Tensor(data, shape);
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A short description of an untrusted value for error messages (never the whole value). */
export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (typeof v === 'string') return JSON.stringify(v.length > 20 ? `${v.slice(0, 20)}…` : v);
  if (typeof v === 'object') return 'an object';
  return `${typeof v} ${String(v)}`;
}
