/**
 * WebAssembly SIMD matrix products for rxgrad (AssemblyScript; `npm run build:wasm` compiles this
 * file into src/tensor/gemm/wasm-bytes.ts).
 *
 * c[m×n] += a[m×k] · b[k×n], where the caller has copied the operands into this module's memory and
 * describes them by strides in elements: a(i, p) = a[i·ars + p·acs], b(p, j) = b[p·brs + j·bcs].
 * Strides cover the transposed variants (aᵀ, bᵀ) with one kernel. c is row-major, n columns.
 *
 * The classic structure: for each slice of KC values of p, pack b's slice into panels of NR columns
 * and a's into panels of MR rows (p-major, so the micro-kernel reads both sequentially), then run
 * an MR×NR register-tile micro-kernel over every pair of panels.
 *
 * NOTE: every output element is summed in the order c + a(i,0)·b(0,j) + a(i,1)·b(1,j) + … with a
 * multiply and an add rounded separately (no fused multiply-add): in float64 the results are bit
 * for bit those of the plain i-k-j loop, whatever the tiling. Do not reorder the sum over p.
 */

/** Values of p per packed slice: an MR×KC panel of a plus a KC×NR panel of b fit in L1. */
const KC: i32 = 256;
/** Rows of a packed per block: MC×KC stays in L2 while the panels of b pass over it. */
const MC: i32 = 128;

/**
 * Packs rows [r0, r0 + rows) of the strided matrix x(i, p) = x[i·rs + p·cs], columns [p0, p0 + kc),
 * into panels of R rows laid out [panel][p][R]; rows past the end are zero (their results are
 * computed and thrown away, never stored).
 */
@inline
function pack<T>(x: usize, rs: i32, cs: i32, r0: i32, rows: i32, p0: i32, kc: i32, R: i32, dst: usize): void {
  const W = <usize>sizeof<T>();
  const panels = (rows + R - 1) / R;
  const step = <usize>R * W, sstep = <usize>cs * W;
  for (let t = 0; t < panels; t++) {
    for (let r = 0; r < R; r++) {
      const i = t * R + r;
      let d = dst + <usize>(t * kc * R + r) * W;
      if (i >= rows) {
        for (let p = 0; p < kc; p++) {
          store<T>(d, <T>0);
          d += step;
        }
      } else {
        let s = x + <usize>((r0 + i) * rs + p0 * cs) * W;
        for (let p = 0; p < kc; p++) {
          store<T>(d, load<T>(s));
          d += step;
          s += sstep;
        }
      }
    }
  }
}

/** 4×4 float64 tile: c (row stride ldc bytes) += panel a [kc][4] · panel b [kc][4]. */
@inline
function micro64(pa: usize, pb: usize, c: usize, ldc: usize, kc: i32): void {
  const c1 = c + ldc, c2 = c1 + ldc, c3 = c2 + ldc;
  let x00 = v128.load(c), x01 = v128.load(c, 16);
  let x10 = v128.load(c1), x11 = v128.load(c1, 16);
  let x20 = v128.load(c2), x21 = v128.load(c2, 16);
  let x30 = v128.load(c3), x31 = v128.load(c3, 16);
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(pb), b1 = v128.load(pb, 16);
    let a = v128.load64_splat(pa);
    x00 = f64x2.add(x00, f64x2.mul(a, b0));
    x01 = f64x2.add(x01, f64x2.mul(a, b1));
    a = v128.load64_splat(pa, 8);
    x10 = f64x2.add(x10, f64x2.mul(a, b0));
    x11 = f64x2.add(x11, f64x2.mul(a, b1));
    a = v128.load64_splat(pa, 16);
    x20 = f64x2.add(x20, f64x2.mul(a, b0));
    x21 = f64x2.add(x21, f64x2.mul(a, b1));
    a = v128.load64_splat(pa, 24);
    x30 = f64x2.add(x30, f64x2.mul(a, b0));
    x31 = f64x2.add(x31, f64x2.mul(a, b1));
    pa += 32;
    pb += 32;
  }
  v128.store(c, x00); v128.store(c, x01, 16);
  v128.store(c1, x10); v128.store(c1, x11, 16);
  v128.store(c2, x20); v128.store(c2, x21, 16);
  v128.store(c3, x30); v128.store(c3, x31, 16);
}

/** 4×8 float32 tile: c (row stride ldc bytes) += panel a [kc][4] · panel b [kc][8]. */
@inline
function micro32(pa: usize, pb: usize, c: usize, ldc: usize, kc: i32): void {
  const c1 = c + ldc, c2 = c1 + ldc, c3 = c2 + ldc;
  let x00 = v128.load(c), x01 = v128.load(c, 16);
  let x10 = v128.load(c1), x11 = v128.load(c1, 16);
  let x20 = v128.load(c2), x21 = v128.load(c2, 16);
  let x30 = v128.load(c3), x31 = v128.load(c3, 16);
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(pb), b1 = v128.load(pb, 16);
    let a = v128.load32_splat(pa);
    x00 = f32x4.add(x00, f32x4.mul(a, b0));
    x01 = f32x4.add(x01, f32x4.mul(a, b1));
    a = v128.load32_splat(pa, 4);
    x10 = f32x4.add(x10, f32x4.mul(a, b0));
    x11 = f32x4.add(x11, f32x4.mul(a, b1));
    a = v128.load32_splat(pa, 8);
    x20 = f32x4.add(x20, f32x4.mul(a, b0));
    x21 = f32x4.add(x21, f32x4.mul(a, b1));
    a = v128.load32_splat(pa, 12);
    x30 = f32x4.add(x30, f32x4.mul(a, b0));
    x31 = f32x4.add(x31, f32x4.mul(a, b1));
    pa += 16;
    pb += 32;
  }
  v128.store(c, x00); v128.store(c, x01, 16);
  v128.store(c1, x10); v128.store(c1, x11, 16);
  v128.store(c2, x20); v128.store(c2, x21, 16);
  v128.store(c3, x30); v128.store(c3, x31, 16);
}

@inline
function micro<T>(pa: usize, pb: usize, c: usize, ldc: usize, kc: i32): void {
  if (sizeof<T>() == 8) micro64(pa, pb, c, ldc, kc);
  else micro32(pa, pb, c, ldc, kc);
}

/**
 * The driver for either element type. `pa` needs MC·KC elements, `pb` (n rounded up to NR)·KC,
 * `tmp` MR·NR: edge tiles run the same micro-kernel on a copy of their valid part.
 */
@inline
function gemm<T>(a: usize, ars: i32, acs: i32, b: usize, brs: i32, bcs: i32, c: usize, m: i32, k: i32, n: i32, pa: usize, pb: usize, tmp: usize): void {
  const W = <usize>sizeof<T>();
  const MR: i32 = 4;
  const NR: i32 = sizeof<T>() == 8 ? 4 : 8;
  const ldc = <usize>n * W, ldt = <usize>NR * W;
  for (let p0 = 0; p0 < k; p0 += KC) {
    const kc = min(KC, k - p0);
    // The panels of b are those of bᵀ's rows: bᵀ(j, p) = b[p·brs + j·bcs].
    pack<T>(b, bcs, brs, 0, n, p0, kc, NR, pb);
    for (let i0 = 0; i0 < m; i0 += MC) {
      const mc = min(MC, m - i0);
      pack<T>(a, ars, acs, i0, mc, p0, kc, MR, pa);
      for (let j = 0; j < n; j += NR) {
        const panelB = pb + <usize>(j * kc) * W;
        const cols = min(NR, n - j);
        for (let i = 0; i < mc; i += MR) {
          const panelA = pa + <usize>(i * kc) * W;
          const rows = min(MR, mc - i);
          const ct = c + (<usize>(i0 + i) * n + j) * W;
          if (rows == MR && cols == NR) {
            micro<T>(panelA, panelB, ct, ldc, kc);
          } else {
            for (let r = 0; r < MR; r++) {
              for (let q = 0; q < NR; q++) {
                const v = r < rows && q < cols ? load<T>(ct + <usize>r * ldc + <usize>q * W) : <T>0;
                store<T>(tmp + <usize>r * ldt + <usize>q * W, v);
              }
            }
            micro<T>(panelA, panelB, tmp, ldt, kc);
            for (let r = 0; r < rows; r++) {
              for (let q = 0; q < cols; q++) store<T>(ct + <usize>r * ldc + <usize>q * W, load<T>(tmp + <usize>r * ldt + <usize>q * W));
            }
          }
        }
      }
    }
  }
}

/** float64: c += a·b; pointers are byte offsets into this module's memory. */
export function gemm64(a: usize, ars: i32, acs: i32, b: usize, brs: i32, bcs: i32, c: usize, m: i32, k: i32, n: i32, pa: usize, pb: usize, tmp: usize): void {
  gemm<f64>(a, ars, acs, b, brs, bcs, c, m, k, n, pa, pb, tmp);
}

/** float32: c += a·b (products and sums rounded to float32, as f32x4 computes them). */
export function gemm32(a: usize, ars: i32, acs: i32, b: usize, brs: i32, bcs: i32, c: usize, m: i32, k: i32, n: i32, pa: usize, pb: usize, tmp: usize): void {
  gemm<f32>(a, ars, acs, b, brs, bcs, c, m, k, n, pa, pb, tmp);
}

/** The packing buffers' sizes, for the caller's memory layout: MC·KC and KC (elements). */
export const PACK_ROWS: i32 = MC;
export const PACK_DEPTH: i32 = KC;
