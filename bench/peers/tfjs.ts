/**
 * TensorFlow.js as a peer: the cpu backend (plain JavaScript kernels) and the wasm backend (XNNPACK
 * with SIMD; single-threaded here, as the other rows are), in production mode. tfjs computes in
 * float32 only.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';

export { tf };
export type TfBackend = 'cpu' | 'wasm';

let configured = false;

/** Switches tfjs to `backend` (after the first call, a cheap no-op when it is already active). */
export async function useBackend(backend: TfBackend): Promise<void> {
  if (!configured) {
    // Node reports SharedArrayBuffer support, but the threaded build needs web workers set up by a
    // page; one thread also matches every other row of the benchmark.
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    // Production mode, as a deployment would run: no debug checks (and no console notice that
    // tfjs-node exists: it downloads a native binary at install, which this machine forbids).
    tf.enableProdMode();
    configured = true;
  }
  if (tf.getBackend() !== backend) {
    const ok = await tf.setBackend(backend);
    if (!ok) throw new Error(`tfjs: the ${backend} backend failed to initialise`);
  }
  await tf.ready();
}

/** What the wasm backend runs with (for the report). */
export function wasmFeatures(): { simd: boolean; threads: boolean } {
  return { simd: tf.env().getBool('WASM_HAS_SIMD_SUPPORT'), threads: tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT') };
}

export const TFJS_VERSION: string = tf.version.tfjs;
