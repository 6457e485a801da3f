/**
 * Every built-in op, in one place. The gradient property test iterates this object and its test
 * table is keyed by {@link OpName}, so an op missing from the table is a compile error; a spec
 * checks that every file in src/ops/ that defines an op is listed here.
 */
import { add } from './add.js';
import { matmul } from './matmul.js';
import { mse } from './mse.js';
import { sigmoid } from './sigmoid.js';
import { sum } from './sum.js';

export const registry = {
  add,
  matmul,
  mse,
  sigmoid,
  sum,
} as const;

/** The name of a built-in op. */
export type OpName = keyof typeof registry;
