/**
 * rxgrad's matmul may run a WebAssembly SIMD kernel for large products. The W2 target is
 * about rxgrad in pure TypeScript, so W2 and W3 add rows with the TypeScript kernels forced, when
 * this version of rxgrad lets a caller choose (`setMatmulBackend` in src/tensor/matmul.ts). Looked
 * up at run time, so the suite still compiles and runs against versions without it.
 */
import * as matmulModule from '../src/tensor/matmul.js';

type Setter = (backend: 'auto' | 'js' | 'wasm') => string;

const setter = (matmulModule as unknown as Record<string, unknown>)['setMatmulBackend'] as Setter | undefined;

/** Whether rxgrad can be told to use only its TypeScript matmul kernels. */
export function canForcePureTs(): boolean {
  return typeof setter === 'function';
}

/** Forces the TypeScript kernels (`js`) or restores the default (`auto`); a no-op without the switch. */
export function useMatmulBackend(backend: 'auto' | 'js'): void {
  setter?.(backend);
}
