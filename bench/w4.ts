/**
 * W4: what the graph itself costs. The same network, trained online one sample at a time with the
 * same SGD, timed four ways:
 * - `learn`: the public operator, as a user drives it (`from(samples).pipe(learn(...))`);
 * - `through` + `grad$`: the lower-level operator, with SGD applied by hand from the parameters'
 *   gradient faces (materialised RxJS Subjects);
 * - direct, arenas: the same ops called straight from the registry (`op.forward`, `op.backward`,
 *   saved state in preallocated boxes) plus the same `sgd` optimizer, with one storage `Arena`
 *   per op and direction exactly as the engine uses them — so the difference to `learn` is the
 *   graph's scheduling and bookkeeping alone;
 * - direct, fresh: the same without arenas (every op output newly allocated).
 * Overhead per op per tick = (graph − direct) / ops per tick, where an op (matmul, add, sigmoid,
 * mse) counts once for its forward and backward together. Samples are prebuilt tensors, so
 * no conversion is timed on either side.
 *
 * Allocation: a child process (bench/alloc-child.ts) runs each variant with a young generation too
 * large to fill (so no garbage collection runs during the measurement, which it checks) and reads
 * `process.memoryUsage()` before and after N ticks: heapUsed grows by exactly the bytes allocated
 * on the V8 heap, arrayBuffers by the typed-array storage allocated outside it. A second child
 * runs with `--trace-gc` at default heap sizes and counts scavenges per 100,000 ticks.
 */
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Subject, from } from 'rxjs';
import {
  type AnyOp, Arena, type Linear, type Node, type Param, type Tensor, enterArena, input, learn, linear, mse, registry, restoreArena, sgd, sigmoid, tensor, through,
} from '../src/index.js';
import { type LayerInit, type PointSample, initLayers, pointStream } from './data.js';
import { type Contender, type Row, interleaved, median } from './harness.js';
import { referenceW1 } from './w1.js';

export const W4_NETS: Record<string, readonly number[]> = {
  '2-16-1': [2, 16, 1],
  '2-16-16-16-1': [2, 16, 16, 16, 1],
};
export const W4_LR = 0.3;

/** A sample as prebuilt tensors. */
export interface TensorSample {
  readonly x: Tensor;
  readonly y: Tensor;
}

export function tensorSamples(count: number): TensorSample[] {
  return pointStream(count, 20_000, 7).map((s: PointSample) => ({ x: tensor(s.x), y: tensor(s.y) }));
}

/** Ops per tick of the sigmoid MLP with an MSE loss: matmul, add, sigmoid per layer, then mse. */
export function opsPerTick(sizes: readonly number[]): number {
  return 3 * (sizes.length - 1) + 1;
}

/** The layers, made by linear() with the shared initial values, as a user passes initialisers. */
function layers(init: readonly LayerInit[]): Linear[] {
  return init.map(({ inSize, outSize, weight, bias }) =>
    linear(inSize, outSize, { init: () => tensor(weight, { shape: [inSize, outSize] }), biasInit: () => tensor(bias, { shape: [outSize] }) }));
}

/** The network as a graph: x → (linear = matmul, add; sigmoid) per layer → mse with y. */
export function graphNet(init: readonly LayerInit[]): { x: Node; y: Node; loss: Node; params: Param[] } {
  const ls = layers(init);
  const x = input([init[0]!.inSize]), y = input([init[init.length - 1]!.outSize]);
  let h: Node = x;
  for (const layer of ls) h = h.pipe(layer, sigmoid());
  return { x, y, loss: mse(h, y), params: ls.flatMap((l) => l.params) };
}

/** One online step through `learn`, fed one sample at a time from a Subject (for the allocation child). */
export function learnStepper(init: readonly LayerInit[], lr: number): { step(s: TensorSample): void; losses(): number; close(): void } {
  const { x, y, loss } = graphNet(init);
  const feed$ = new Subject<TensorSample>();
  let last = 0;
  const sub = feed$.pipe(learn({ inputs: [x, y], feed: (s) => [s.x, s.y], loss, optimizer: sgd({ lr }) })).subscribe((s) => (last = s.loss));
  return { step: (s) => feed$.next(s), losses: () => last, close: () => sub.unsubscribe() };
}

/** `through` with the loss trained and SGD applied by hand from each parameter's grad$. */
export function throughStepper(init: readonly LayerInit[], lr: number): { step(s: TensorSample): void; losses(): number; close(): void } {
  const { x, y, loss, params } = graphNet(init);
  const optimizer = sgd({ lr });
  const grads: (Tensor | null)[] = params.map(() => null);
  const subs = params.map((p, i) => p.grad$.subscribe(({ value }) => (grads[i] = value)));
  const feed$ = new Subject<TensorSample>();
  let last = 0;
  subs.push(
    feed$.pipe(through(loss, { inputs: [x, y], feed: (s) => [s.x, s.y], train: [loss] })).subscribe(({ value }) => {
      last = value.data[0]!;
      optimizer.step(params, grads);
    }),
  );
  return { step: (s) => feed$.next(s), losses: () => last, close: () => subs.forEach((s) => s.unsubscribe()) };
}

interface SavedBox {
  inputs: Tensor[];
  output: Tensor;
  attrs: object;
}

/**
 * The same network without the graph: registry ops called in order, saved state in boxes made
 * once, the gradients handed to the same `sgd`. With `arenas`, each op and direction allocates
 * from its own Arena, as the engine's recycling does.
 */
export class DirectNet {
  readonly params: Param[];
  private readonly optimizer: ReturnType<typeof sgd>;
  private readonly layers: number;
  private readonly fwd: (Arena | null)[];
  private readonly bwd: (Arena | null)[];
  /** Per layer: matmul, add, sigmoid boxes; then the loss box. */
  private readonly boxes: SavedBox[];
  private readonly grads: (Tensor | null)[];
  private readonly seed: Tensor;
  private static readonly NONE = {};
  private static readonly NEEDS_FIRST = [false, true];
  private static readonly NEEDS_BOTH = [true, true];
  private static readonly NEEDS_ONE = [true];
  private static readonly NEEDS_LOSS = [true, false];

  constructor(init: readonly LayerInit[], lr: number, arenas: boolean) {
    this.params = layers(init).flatMap((l) => l.params);
    this.optimizer = sgd({ lr });
    this.layers = init.length;
    const ops = 3 * init.length + 1;
    this.fwd = Array.from({ length: ops }, () => (arenas ? new Arena() : null));
    this.bwd = Array.from({ length: ops }, () => (arenas ? new Arena() : null));
    // Op k: matmul (k mod 3 = 0), add (1), sigmoid (2), then the loss (k = ops − 1).
    this.boxes = Array.from({ length: ops }, (_, k) => ({ inputs: new Array<Tensor>(k % 3 === 2 ? 1 : 2), output: undefined as never, attrs: DirectNet.NONE }));
    this.grads = this.params.map(() => null);
    this.seed = tensor(1);
  }

  private forward(k: number, op: AnyOp): Tensor {
    const arena = this.fwd[k]!;
    if (arena !== null) enterArena(arena);
    const box = this.boxes[k]!;
    const out = op.forward(box.inputs, box.attrs);
    if (arena !== null) restoreArena(null);
    box.output = out;
    return out;
  }

  private backward(k: number, op: AnyOp, g: Tensor, needs: readonly boolean[]): readonly (Tensor | null)[] {
    const arena = this.bwd[k]!;
    if (arena !== null) enterArena(arena);
    const r = op.backward(g, this.boxes[k]!, needs);
    if (arena !== null) restoreArena(null);
    return r;
  }

  /** One SGD step on one sample; returns the loss before the update. */
  step(x: Tensor, y: Tensor): number {
    const { matmul, add, sigmoid: sig, mse: loss } = registry;
    const L = this.layers, boxes = this.boxes, params = this.params;
    let h = x;
    for (let l = 0; l < L; l++) {
      const k = 3 * l;
      boxes[k]!.inputs[0] = h;
      boxes[k]!.inputs[1] = params[2 * l]!.value;
      const m = this.forward(k, matmul);
      boxes[k + 1]!.inputs[0] = m;
      boxes[k + 1]!.inputs[1] = params[2 * l + 1]!.value;
      const a = this.forward(k + 1, add);
      boxes[k + 2]!.inputs[0] = a;
      h = this.forward(k + 2, sig);
    }
    const kl = 3 * L;
    boxes[kl]!.inputs[0] = h;
    boxes[kl]!.inputs[1] = y;
    const value = this.forward(kl, loss).data[0]!;
    let g = this.backward(kl, loss, this.seed, DirectNet.NEEDS_LOSS)[0]!;
    for (let l = L - 1; l >= 0; l--) {
      const k = 3 * l;
      const ga = this.backward(k + 2, sig, g, DirectNet.NEEDS_ONE)[0]!;
      const gAdd = this.backward(k + 1, add, ga, DirectNet.NEEDS_BOTH);
      const gMatmul = this.backward(k, matmul, gAdd[0]!, l > 0 ? DirectNet.NEEDS_BOTH : DirectNet.NEEDS_FIRST);
      this.grads[2 * l] = gMatmul[1]!;
      this.grads[2 * l + 1] = gAdd[1]!;
      g = gMatmul[0]!;
    }
    this.optimizer.step(params, this.grads);
    return value;
  }
}

/** The contenders of one W4 network. */
export function w4Contenders(sizes: readonly number[], ticks: number, lr: number): { contenders: Contender[]; losses: Map<string, () => number> } {
  const init = initLayers(sizes, 3);
  const samples = tensorSamples(ticks);
  const losses = new Map<string, () => number>();
  const contenders: Contender[] = [];

  let lastLearn = 0;
  let learnRun: () => void = () => {};
  contenders.push({
    name: 'learn',
    samples: ticks,
    setup() {
      const { x, y, loss } = graphNet(init);
      const optimizer = sgd({ lr });
      learnRun = () => {
        from(samples).pipe(learn({ inputs: [x, y], feed: (s) => [s.x, s.y], loss, optimizer })).subscribe((s) => (lastLearn = s.loss));
      };
    },
    run: () => learnRun(),
  });
  losses.set('learn', () => lastLearn);

  let stepper: ReturnType<typeof throughStepper> | null = null;
  let lastThrough = 0;
  contenders.push({
    name: 'through + grad$ + sgd',
    samples: ticks,
    setup() {
      stepper = throughStepper(init, lr);
    },
    run() {
      for (let i = 0; i < samples.length; i++) stepper!.step(samples[i]!);
    },
    after() {
      lastThrough = stepper!.losses();
      stepper!.close();
    },
  });
  losses.set('through + grad$ + sgd', () => lastThrough);

  for (const arenas of [true, false]) {
    const name = arenas ? 'direct ops, arenas' : 'direct ops, fresh storage';
    let net: DirectNet | null = null;
    let last = 0;
    contenders.push({
      name,
      samples: ticks,
      setup() {
        net = new DirectNet(init, lr, arenas);
      },
      run() {
        const n = net!;
        for (let i = 0; i < samples.length; i++) last = n.step(samples[i]!.x, samples[i]!.y);
      },
    });
    losses.set(name, () => last);
  }

  const floats = pointStream(ticks, 20_000, 7);
  const reference = referenceW1(floats, init, lr);
  contenders.push(reference);
  losses.set(reference.name, () => reference.losses[ticks - 1]!);
  return { contenders, losses };
}

export interface AllocResult {
  variant: string;
  net: string;
  ticks: number;
  heapBytesPerTick: number;
  arrayBufferBytesPerTick: number;
  collectionsDuringMeasurement: number;
  tensorObjectBytes: number;
}

const CHILD = fileURLToPath(new URL('./alloc-child.ts', import.meta.url));
/** The child is TypeScript: it runs under tsx's loader, found from here (not from the caller's flags). */
const TSX = pathToFileURL(join(dirname(createRequire(import.meta.url).resolve('tsx/package.json')), 'dist', 'loader.mjs')).href;

/** Runs the allocation child for one variant (see the header). */
export function measureAllocation(variant: string, net: string, ticks: number, warmup = 5_000): AllocResult {
  const args = ['--import', TSX, '--min-semi-space-size=256', '--max-semi-space-size=256', CHILD, 'alloc', variant, net, String(ticks), String(warmup)];
  const r = spawnSync(process.execPath, args, {
    encoding: 'utf8',
    timeout: 120_000,
  });
  const line = r.stdout.split('\n').find((l) => l.startsWith('ALLOC '));
  if (r.status !== 0 || line === undefined) throw new Error(`alloc child ${variant} ${net} failed (${r.status}): ${r.stderr.slice(-2000)}`);
  return JSON.parse(line.slice(6)) as AllocResult;
}

/** Scavenges and full collections per 100,000 ticks under `--trace-gc` at default heap sizes. */
export function countCollections(variant: string, net: string, ticks: number, warmup = 5_000): { scavengesPer100k: number; markCompactsPer100k: number } {
  const args = ['--import', TSX, '--trace-gc', CHILD, 'gc', variant, net, String(ticks), String(warmup)];
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', timeout: 120_000, maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`gc child ${variant} ${net} failed (${r.status}): ${r.stderr.slice(-2000)}`);
  // Only the collections between the markers count (not module loading or warm-up).
  const text = r.stdout.slice(r.stdout.indexOf('GC-START'), r.stdout.indexOf('GC-END'));
  const scavenges = (text.match(/Scavenge/g) ?? []).length;
  const full = (text.match(/Mark-Compact|Mark-sweep/g) ?? []).length;
  return { scavengesPer100k: (scavenges * 1e5) / ticks, markCompactsPer100k: (full * 1e5) / ticks };
}

export interface W4Options {
  ticks: Record<string, number>;
  warmup: number;
  rounds: number;
  allocTicks: number;
  gcTicks: number;
}

/** Runs W4: timing rows, overhead rows and allocation rows; also returns the raw allocation results. */
export async function runW4(o: W4Options, log: (line: string) => void = () => {}): Promise<{ rows: Row[]; alloc: unknown[] }> {
  const rows: Row[] = [];
  const alloc: unknown[] = [];
  for (const [label, sizes] of Object.entries(W4_NETS)) {
    const ticks = o.ticks[label] ?? 20_000;
    const { contenders, losses } = w4Contenders(sizes, ticks, W4_LR);
    const times = await interleaved(contenders, { warmup: o.warmup, rounds: o.rounds, progress: (r) => log(`  W4 ${label} round ${r}`) });
    const nsPerTick = (name: string) => times.get(name)!.map((s) => (s / ticks) * 1e9);
    const ops = opsPerTick(sizes);
    const direct = nsPerTick('direct ops, arenas');
    for (const c of contenders) {
      const ns = nsPerTick(c.name);
      rows.push({
        workload: `W4 ${label}`, implementation: c.name, value: median(ns), unit: 'ns/tick',
        ratio: median(ns.map((v, r) => direct[r]! / v)), against: 'direct ops, arenas', loss: null, final: losses.get(c.name)!(), rounds: ns,
      });
    }
    for (const [graph, base] of [['learn', 'direct ops, arenas'], ['learn', 'direct ops, fresh storage'], ['through + grad$ + sgd', 'direct ops, arenas']] as const) {
      const g = nsPerTick(graph), b = nsPerTick(base);
      const per = g.map((v, r) => (v - b[r]!) / ops);
      rows.push({
        workload: `W4 ${label}`, implementation: `overhead: ${graph} − ${base}`, value: median(per), unit: 'ns/op/tick',
        ratio: null, against: null, loss: null, final: null, rounds: per, note: `${ops} ops per tick (forward + backward each)`,
      });
    }
    for (const variant of ['learn', 'through', 'direct-arenas', 'direct-fresh', 'reference']) {
      const a = measureAllocation(variant, label, o.allocTicks);
      const gc = countCollections(variant, label, o.gcTicks);
      alloc.push({ ...a, ...gc });
      log(`  W4 ${label} alloc ${variant}: ${a.heapBytesPerTick.toFixed(0)} B heap + ${a.arrayBufferBytesPerTick.toFixed(0)} B buffers per tick, ${gc.scavengesPer100k.toFixed(1)} scavenges / 100k ticks`);
      rows.push({
        workload: `W4 ${label}`, implementation: `alloc: ${variant}`, value: a.heapBytesPerTick + a.arrayBufferBytesPerTick, unit: 'bytes/tick',
        ratio: null, against: null, loss: null, final: null, rounds: [],
        note: `heap ${a.heapBytesPerTick.toFixed(0)} (≈ ${(a.heapBytesPerTick / a.tensorObjectBytes).toFixed(1)} Tensor objects of ${a.tensorObjectBytes.toFixed(0)} B) + buffers ${a.arrayBufferBytesPerTick.toFixed(0)}; ${gc.scavengesPer100k.toFixed(1)} scavenges/100k ticks`,
      });
    }
  }
  return { rows, alloc };
}
