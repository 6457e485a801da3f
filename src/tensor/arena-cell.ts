import type { Arena } from './dtype.js';

/**
 * @internal The arena `allocate()` draws from, null for fresh storage. A shared cell rather than a
 * module variable so that the engine's generated ticks can switch arenas with two stores instead
 * of two calls per op (see graph/compile-tick.ts); everything else goes through `enterArena` and
 * `restoreArena`. Kept out of the package's exports: it is mutable global state.
 */
export const arenaCell: { active: Arena | null } = { active: null };
