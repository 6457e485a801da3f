/**
 * The hand-written blocked matrix product for W3: c[m×n] = a[m×k] · b[k×n], row-major. Two levels
 * of blocking, as any competent C-style kernel has:
 * - cache blocking: a panel of `b` (BLOCK_K rows × BLOCK_N columns) stays in cache while every row
 *   of `a` passes over it;
 * - register blocking: four rows of `c` are updated together, so each element of `b` loaded from
 *   memory feeds four multiply-adds instead of one.
 * Inside, the loop is i-k-j, so the innermost loop walks rows of `b` and `c` contiguously. Plain
 * loops otherwise: no manual unrolling of j, no SIMD (JavaScript has none), no packing.
 */

/** Rows of `b` per panel and columns per panel. */
const BLOCK_K = 128;
const BLOCK_N = 256;

export function blockedMatmul(a: Float64Array, b: Float64Array, c: Float64Array, m: number, k: number, n: number): void {
  c.fill(0);
  for (let p0 = 0; p0 < k; p0 += BLOCK_K) {
    const p1 = Math.min(p0 + BLOCK_K, k);
    for (let j0 = 0; j0 < n; j0 += BLOCK_N) {
      const j1 = Math.min(j0 + BLOCK_N, n);
      let i = 0;
      for (; i + 4 <= m; i += 4) {
        const c0 = i * n, c1 = c0 + n, c2 = c1 + n, c3 = c2 + n;
        const r0 = i * k, r1 = r0 + k, r2 = r1 + k, r3 = r2 + k;
        for (let p = p0; p < p1; p++) {
          const a0 = a[r0 + p]!, a1 = a[r1 + p]!, a2 = a[r2 + p]!, a3 = a[r3 + p]!;
          const bp = p * n;
          for (let j = j0; j < j1; j++) {
            const bv = b[bp + j]!;
            c[c0 + j] = c[c0 + j]! + a0 * bv;
            c[c1 + j] = c[c1 + j]! + a1 * bv;
            c[c2 + j] = c[c2 + j]! + a2 * bv;
            c[c3 + j] = c[c3 + j]! + a3 * bv;
          }
        }
      }
      // The last m mod 4 rows, one at a time.
      for (; i < m; i++) {
        const ci = i * n;
        for (let p = p0; p < p1; p++) {
          const av = a[i * k + p]!;
          const bp = p * n;
          for (let j = j0; j < j1; j++) c[ci + j] = c[ci + j]! + av * b[bp + j]!;
        }
      }
    }
  }
}
