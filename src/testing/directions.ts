/**
 * Seeded random vectors for upstream gradients and projection directions.
 *
 * NOTE: components must be well separated (chainer#8519: a max tie escaped detection because the two
 * tied components of the direction were 0.0355 and 0.0331). Here the magnitudes are 1 + k/n for a
 * random permutation k of 0…n−1 — every pair differs by at least 1/n — with random signs, so no
 * component is zero and a sign error cannot cancel out.
 */
import type { Rng } from '../tensor/index.js';

export function separatedVector(n: number, rng: Rng): Float64Array {
  const perm = new Int32Array(n);
  for (let i = 0; i < n; i++) perm[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = perm[i]!;
    perm[i] = perm[j]!;
    perm[j] = t;
  }
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = (rng.uniform() < 0.5 ? -1 : 1) * (1 + perm[i]! / n);
  return out;
}
