/**
 * Child process of W4's allocation measurement (see bench/w4.ts). Usage:
 *
 *   node [--min/max-semi-space-size=256 | --trace-gc] bench/alloc-child.ts alloc|gc <variant> <net> <ticks> [warmup ticks]
 *
 * variant: learn | through | direct-plans | direct-arenas | direct-fresh | reference. `sites` prints `SITES {json}`:
 * heap bytes allocated per tick by allocating function (V8's sampling heap profiler). `alloc` prints one line
 * `ALLOC {json}` with the bytes allocated per tick on the V8 heap and in ArrayBuffers (storage
 * outside the heap), the number of collections during the measurement (their freed bytes are added
 * back), and the size of one Tensor object, the unit of the target "no allocation beyond the
 * output tensor per op". `gc` runs
 * the ticks between the markers `GC-START` and `GC-END` for --trace-gc to report on.
 */
import { Session } from 'node:inspector/promises';
import { findSourceMap } from 'node:module';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';
import { Tensor } from '../src/index.js';
import { initLayers, pointStream } from './data.js';
import { DirectNet, type DirectStorage, W4_LR, W4_NETS, engineFusion, learnStepper, tensorSamples, throughStepper } from './w4.js';
import { Dense, MeanSquaredError, Sequential, Sigmoid } from './reference/layers.js';

const [mode, variant, net, ticksArg, warmupArg] = process.argv.slice(2);
const ticks = Number(ticksArg);
const sizes = W4_NETS[net ?? ''];
if ((mode !== 'alloc' && mode !== 'gc' && mode !== 'sites') || sizes === undefined || !(ticks > 0)) {
  console.error('usage: alloc-child.ts alloc|gc|sites <variant> <net> <ticks> [warmup]');
  process.exit(2);
}
const init = initLayers(sizes, 3);
const warmup = Number(warmupArg ?? 5_000);
const samples = tensorSamples(warmup + ticks);

interface ProfileNode {
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  selfSize: number;
  children: ProfileNode[];
}

/** One tick of the chosen variant, on sample i. */
let tick: (i: number) => void;
if (variant === 'learn' || variant === 'through') {
  const s = variant === 'learn' ? learnStepper(init, W4_LR) : throughStepper(init, W4_LR);
  tick = (i) => s.step(samples[i]!);
} else if (variant === 'direct-plans' || variant === 'direct-arenas' || variant === 'direct-fresh') {
  const d = new DirectNet(init, W4_LR, { storage: variant.slice('direct-'.length) as DirectStorage, fusion: engineFusion(init) });
  tick = (i) => d.step(samples[i]!.x, samples[i]!.y);
} else if (variant === 'reference') {
  const points = pointStream(warmup + ticks, 20_000, 7);
  const layers = init.flatMap(({ inSize, outSize, weight, bias }) => [new Dense(inSize, outSize, weight, bias, 1), new Sigmoid(outSize, 1)]);
  const seq = new Sequential(layers);
  const loss = new MeanSquaredError(1, 1);
  tick = (i) => {
    const p = points[i]!;
    loss.forward(seq.forward(p.x, 1), p.y, 1);
    seq.backward(loss.backward(), 1);
    seq.step(W4_LR);
  };
} else {
  console.error(`unknown variant ${variant}`);
  process.exit(2);
}

for (let i = 0; i < warmup; i++) tick(i);

if (mode === 'sites') {
  // V8's sampling heap profiler, keeping the samples of objects already collected: bytes allocated
  // on the heap per tick by allocating function (mapped back through tsx's source maps).
  const session = new Session();
  session.connect();
  await session.post('HeapProfiler.enable');
  await session.post('HeapProfiler.startSampling', { samplingInterval: 64, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true } as never);
  for (let i = 0; i < ticks; i++) tick(warmup + i);
  const { profile } = (await session.post('HeapProfiler.stopSampling')) as unknown as { profile: { head: ProfileNode } };
  const bytes = new Map<string, number>();
  const walk = (n: ProfileNode): void => {
    const { functionName, url, lineNumber, columnNumber } = n.callFrame;
    let where = `${url}:${lineNumber + 1}`;
    const entry = url === '' ? undefined : (findSourceMap(url.startsWith('file://') ? fileURLToPath(url) : url)?.findEntry(lineNumber, columnNumber) as { originalSource?: string; originalLine?: number } | undefined);
    if (entry?.originalSource !== undefined && entry.originalLine !== undefined) where = `${entry.originalSource}:${entry.originalLine + 1}`;
    const key = `${functionName || '(anonymous)'} ${where.replace(/^.*\/(src|bench|node_modules)\//, '$1/')}`;
    if (n.selfSize > 0) bytes.set(key, (bytes.get(key) ?? 0) + n.selfSize);
    for (const c of n.children) walk(c);
  };
  walk(profile.head);
  const sites = [...bytes].sort((a, b) => b[1] - a[1]).slice(0, 15).map(([site, b]) => ({ site, bytesPerTick: b / ticks }));
  console.log(`SITES ${JSON.stringify({ variant, net, ticks, sites })}`);
} else if (mode === 'gc') {
  console.log('GC-START');
  for (let i = 0; i < ticks; i++) tick(warmup + i);
  console.log('GC-END');
} else {
  // A young generation of 256 MB (set by the parent) keeps collections out of the window; any that
  // still run (external-memory pressure can start one) are accounted for by adding back what each
  // freed, from the GC profiler's before/after statistics.
  // Start from a clean heap: a full collection (twice, so weak and pending objects go too) and a
  // pause for the sweeper to release freed ArrayBuffers, which also resets V8's external-memory
  // trigger so that the window's typed arrays do not start a collection.
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  gc?.();
  await new Promise((resolve) => setTimeout(resolve, 100));
  const profiler = new v8.GCProfiler();
  profiler.start();
  const before = v8.getHeapStatistics();
  for (let i = 0; i < ticks; i++) tick(warmup + i);
  const after = v8.getHeapStatistics();
  const { statistics } = profiler.stop();
  let freedHeap = 0, freedExternal = 0;
  for (const gc of statistics) {
    freedHeap += gc.beforeGC.heapStatistics.usedHeapSize - gc.afterGC.heapStatistics.usedHeapSize;
    freedExternal += gc.beforeGC.heapStatistics.externalMemory - gc.afterGC.heapStatistics.externalMemory;
  }
  // The size of one Tensor object wrapping existing storage: the unit "one output tensor" is.
  const data = new Float64Array(16), shape = [16], kept: Tensor[] = new Array(10_000);
  const t0 = v8.getHeapStatistics().used_heap_size;
  for (let i = 0; i < kept.length; i++) kept[i] = new Tensor(data, shape);
  const tensorObjectBytes = (v8.getHeapStatistics().used_heap_size - t0) / kept.length;
  const result = {
    variant, net, ticks,
    heapBytesPerTick: (after.used_heap_size - before.used_heap_size + freedHeap) / ticks,
    arrayBufferBytesPerTick: (after.external_memory - before.external_memory + freedExternal) / ticks,
    collectionsDuringMeasurement: statistics.length,
    tensorObjectBytes,
  };
  console.log(`ALLOC ${JSON.stringify(result)}`);
}
