/**
 * The WebAssembly SIMD matrix product (assembly/gemm.ts, embedded by `npm run build:wasm`), behind
 * the same strided interface as the TypeScript kernel in ./js.ts.
 *
 * Operands are copied into the module's memory and the result copied out: O(mk + kn + mn) element
 * copies per call against 2mkn flops, which pays only for large products (see the dispatch in
 * ../matmul.ts). The module is compiled synchronously on first use so that the choice of kernel
 * never depends on timing; where WebAssembly SIMD is missing, `wasmGemm` reports false and the
 * caller falls back to TypeScript.
 */
import type { TypedArray } from '../dtype.js';
import { GEMM_WASM_BASE64 } from './wasm-bytes.js';

/*
 * The slice of the WebAssembly API used here, declared locally: the project's lib (es2023, no DOM)
 * does not describe it, and hosts without it must still load this file.
 */
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
}
interface GemmExports {
  memory: WasmMemory;
  gemm64: WasmKernel;
  gemm32: WasmKernel;
  PACK_ROWS: { value: number };
  PACK_DEPTH: { value: number };
}
type WasmKernel = (a: number, ars: number, acs: number, b: number, brs: number, bcs: number, c: number, m: number, k: number, n: number, pa: number, pb: number, tmp: number) => void;

/** The instance, null when it could not be created, undefined before the first attempt. */
let module: GemmExports | null | undefined;
let f64: Float64Array = new Float64Array(0);
let f32: Float32Array = new Float32Array(0);
/** The module's packing block sizes (rows of a, values of p), read once. */
let packRows = 0;
let packDepth = 0;

function decode(base64: string): Uint8Array {
  // atob exists in Node ≥ 16 and in every browser.
  const s = atob(base64);
  const bytes = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) bytes[i] = s.charCodeAt(i);
  return bytes;
}

function load(): GemmExports | null {
  if (module !== undefined) return module;
  module = null;
  try {
    const api = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
    const bytes = decode(GEMM_WASM_BASE64);
    // validate() is false where the host lacks SIMD.
    if (api !== undefined && api.validate(bytes)) {
      module = new api.Instance(new api.Module(bytes), {}).exports as GemmExports;
      packRows = module.PACK_ROWS.value;
      packDepth = module.PACK_DEPTH.value;
    }
  } catch {
    // No WebAssembly, no SIMD, or a host that forbids synchronous compilation: TypeScript it is.
    module = null;
  }
  return module;
}

/** Can the wasm kernel run here? (Instantiates the module on first call.) */
export function wasmAvailable(): boolean {
  return load() !== null;
}

/** First byte the layout uses (the module has no static data; the stub runtime never allocates). */
const BASE = 16;
const PAGE = 65536;
/** Copies this short or shorter run as a loop: a subarray view costs more than the copy. */
const SHORT = 64;

/** Views on the module's memory, recreated when it grows (growing detaches the old buffer). */
let heapBytes = 0;

function views(memory: WasmMemory, end: number): boolean {
  if (end > heapBytes) {
    const have = memory.buffer.byteLength;
    if (end > have) {
      try {
        memory.grow(Math.ceil((end - have) / PAGE));
      } catch {
        return false; // past wasm32's 4 GiB, or the host's limit
      }
    }
    heapBytes = memory.buffer.byteLength;
    f64 = new Float64Array(memory.buffer);
    f32 = new Float32Array(memory.buffer);
  }
  return true;
}

/** heap[at, at + len) = src[off, off + len) */
function copyIn(heap: TypedArray, at: number, src: TypedArray, off: number, len: number): void {
  if (len <= SHORT) for (let i = 0; i < len; i++) heap[at + i] = src[off + i]!;
  else heap.set(off === 0 && len === src.length ? src : src.subarray(off, off + len), at);
}

/** dst[off, off + len) = heap[at, at + len) */
function copyOut(heap: TypedArray, at: number, dst: TypedArray, off: number, len: number): void {
  if (len <= SHORT) for (let i = 0; i < len; i++) dst[off + i] = heap[at + i]!;
  else dst.set(heap.subarray(at, at + len), off);
}

/**
 * out[m×n] (+)= A·B with a(i, p) = a[aOff + i·ars + p·acs] over the m·k elements from aOff, and
 * b(p, j) = b[bOff + p·brs + j·bcs] over the k·n elements from bOff. All three arrays must be of
 * one kind. Returns false (doing nothing) when the module is unavailable or out of memory.
 */
export function wasmGemm(
  a: TypedArray, aOff: number, ars: number, acs: number,
  b: TypedArray, bOff: number, brs: number, bcs: number,
  out: TypedArray, oOff: number, m: number, k: number, n: number, accumulate: boolean,
): boolean {
  const mod = load();
  if (mod === null) return false;
  const double = out instanceof Float64Array;
  const W = double ? 8 : 4;
  const nr = double ? 4 : 8;
  const sa = m * k, sb = k * n, sc = m * n;
  // Byte offsets, each 16-byte aligned: a, b, c, packed a, packed b, the edge tile.
  const pA = BASE;
  const pB = align(pA + sa * W);
  const pC = align(pB + sb * W);
  const pPa = align(pC + sc * W);
  const pPb = align(pPa + packRows * packDepth * W);
  const pT = align(pPb + Math.ceil(n / nr) * nr * packDepth * W);
  if (!views(mod.memory, pT + 4 * nr * W)) return false;
  const heap = double ? f64 : f32;
  copyIn(heap, pA / W, a, aOff, sa);
  copyIn(heap, pB / W, b, bOff, sb);
  if (accumulate) copyIn(heap, pC / W, out, oOff, sc);
  else heap.fill(0, pC / W, pC / W + sc);
  (double ? mod.gemm64 : mod.gemm32)(pA, ars, acs, pB, brs, bcs, pC, m, k, n, pPa, pPb, pT);
  copyOut(heap, pC / W, out, oOff, sc);
  return true;
}

function align(bytes: number): number {
  return (bytes + 15) & ~15;
}
