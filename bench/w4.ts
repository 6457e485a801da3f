/**
 * W4: what the graph itself costs. The same network, trained online one sample at a time with the
 * same SGD, timed several ways:
 * - `learn`: the public operator, as a user drives it (`from(samples).pipe(learn(...))`);
 * - `through` + `grad$`: the lower-level operator, with SGD applied by hand from the parameters'
 *   gradient faces (materialised RxJS Subjects);
 * - engine: the compiled program run by the internal Execution class, SGD from its backward hook:
 *   `learn` minus the operator around it, which splits the overhead into engine and operator;
 * - direct, plans: the same ops called straight from the registry, as a compiled engine run calls
 *   them — each op's fixed-shape plan (`OpSpec.plan`) where it has one, its `op.forward` and
 *   `op.backward` with one storage `Arena` per op and direction otherwise — saved state in
 *   preallocated boxes, plus the same `sgd` optimizer: so the difference to `learn` is the graph's
 *   scheduling and bookkeeping alone;
 * - direct, arenas: the same without plans (every op through forward/backward and arenas);
 * - direct, fresh: the same without arenas either (every op output newly allocated).
 * Overhead per op per tick = (graph − direct, plans) / ops per tick, where an op counts once for its
 * forward and backward together, and the ops are those the engine schedules: it fuses each
 * layer's matmul → add → sigmoid into one `dense` op, so the direct path calls dense too (it checks the
 * engine's compiled schedule, and fails loudly if the two ever differ). Samples are prebuilt tensors, so
 * no conversion is timed on either side.
 *
 * Allocation: a child process (bench/alloc-child.ts) runs each variant with a young generation too
 * large to fill, over few enough ticks that external-memory pressure starts no collection either
 * (it checks, and says so when one ran), and reads V8's heap statistics before and after N ticks:
 * the used heap grows by exactly the bytes allocated on the V8 heap, external memory by the
 * typed-array storage allocated outside it. A second child runs with `--trace-gc` at default heap
 * sizes and counts scavenges per 100,000 ticks. A third runs `learn` under V8's sampling heap
 * profiler and lists the heap bytes per tick by allocating function: where the allocations come from.
 */
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Subject, from } from 'rxjs';
import {
  type AnyOp, type OpPlan, Arena, type Linear, type Node, type Param, type Tensor, enterArena, input, learn, linear, mse, registry, restoreArena, sgd, sigmoid, tensor, through,
} from '../src/index.js';
import { Execution } from '../src/graph/execution.js';
import { Program } from '../src/graph/program.js';
import { type LayerInit, type PointSample, initLayers, pointStream } from './data.js';
import { type Contender, type Row, interleaved, median } from './harness.js';
import { referenceW1 } from './reference/online.js';
import { COMPILED, benchFile } from './paths.js';

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

/**
 * The engine alone (internal API): the compiled program run by an Execution with recycled storage,
 * parameters updated by the same `sgd` from its backward hook — `learn` without the operator
 * around it (no RxJS subscription, feed callback, Step records or metrics), to split the overhead.
 */
export function engineStepper(init: readonly LayerInit[], lr: number): { step(s: TensorSample, tick: number): void; losses(): number; close(): void } {
  const { x, y, loss } = graphNet(init);
  const program = new Program({ outputs: [], losses: [{ node: loss, weight: 1 }] });
  const optimizer = sgd({ lr });
  const params = program.params, paramSlots = program.paramSlots, lossSlot = program.lossSlots[0]!;
  const grads: (Tensor | null)[] = params.map(() => null);
  const xFirst = program.nodes[program.inputSlots[0]!] === x;
  let last = 0;
  const execution = new Execution(program, {
    onBackward: (record) => {
      last = record.values[lossSlot]!.data[0]!;
      for (let i = 0; i < paramSlots.length; i++) grads[i] = record.grads[paramSlots[i]!] ?? null;
      optimizer.step(params, grads);
    },
    onError: (error) => {
      throw error;
    },
  }, { recycle: true });
  execution.start();
  const values: Tensor[] = [x as never, y as never];
  return {
    step: (s, tick) => {
      values[0] = xFirst ? s.x : s.y;
      values[1] = xFirst ? s.y : s.x;
      execution.feedAll(tick, values);
    },
    losses: () => last,
    close: () => execution.dispose(),
  };
}

interface SavedBox {
  inputs: Tensor[];
  output: Tensor;
  attrs: object;
}

/**
 * The ops the engine actually schedules for a loss, by name, in order. The engine may rewrite the
 * graph (today it fuses matmul → add → activation into one dense op), and the direct path must run the same
 * ops for the difference to be the graph's own cost. This reads the compiled program, an internal.
 */
export function scheduledOps(loss: Node): string[] {
  const program = new Program({ outputs: [], losses: [{ node: loss, weight: 1 }] });
  return Array.from(program.opSlots, (s) => program.ops[s]!.name);
}

/** One op of the direct path: its saved-state box, its storage per direction (arenas), and its plan. */
interface DirectOp {
  readonly op: AnyOp;
  readonly box: SavedBox;
  readonly fwd: Arena | null;
  readonly bwd: Arena | null;
  /** The gradients its backward is asked for (fixed per op, as in the engine). */
  readonly needs: readonly boolean[];
  /** With storage 'plans': the op's plan, made at its first forward (undefined until then; null: the op has none). */
  plan: OpPlan | null | undefined;
}

/**
 * Where the direct path's ops put their results: 'plans' as a compiled engine run does (each op's
 * fixed-shape plan where it has one, an arena otherwise), 'arenas' (the op's own forward and
 * backward, storage recycled through arenas), 'fresh' (every result newly allocated).
 */
export type DirectStorage = 'plans' | 'arenas' | 'fresh';

/** How the direct path runs each layer: as written, or fused as the engine may fuse it. */
export type Fusion = 'none' | 'affine' | 'dense';

/**
 * The same network without the graph: registry ops called in order, saved state in boxes made
 * once, the gradients handed to the same `sgd`. `fusion` says how each layer runs, to match what
 * the engine schedules: 'dense' as one dense(x, W, b, sigmoid) op (matmul, add and activation
 * fused), 'affine' as affine(x, W, b) then sigmoid, 'none' as matmul, add, sigmoid as written.
 * `storage` says where results go (see {@link DirectStorage}).
 */
export class DirectNet {
  readonly params: Param[];
  /** Op names in forward order (to compare with {@link scheduledOps}). */
  readonly opNames: string[];
  /** Tensors the ops return per tick: one per forward, one per gradient a backward computes. */
  readonly outputsPerTick: number;
  private readonly optimizer: ReturnType<typeof sgd>;
  private readonly layers: number;
  private readonly fusion: Fusion;
  private readonly perLayer: number;
  private readonly ops: DirectOp[];
  private readonly grads: (Tensor | null)[];
  private readonly seed: Tensor;
  private static readonly NONE = {};
  private static readonly SIGMOID = { activation: 'sigmoid' };
  private static readonly ONE = [true];
  private static readonly TWO = [true, true];
  private static readonly THREE = [true, true, true];
  private static readonly FIRST_MATMUL = [false, true];
  private static readonly FIRST_AFFINE = [false, true, true];
  private static readonly LOSS = [true, false];

  private readonly usePlans: boolean;

  constructor(init: readonly LayerInit[], lr: number, options: { storage: DirectStorage; fusion: Fusion }) {
    this.params = layers(init).flatMap((l) => l.params);
    this.optimizer = sgd({ lr });
    this.layers = init.length;
    this.fusion = options.fusion;
    const { affine, dense, matmul, add, sigmoid: sig, mse: loss } = registry;
    const layerOps: AnyOp[] = options.fusion === 'dense' ? [dense] : options.fusion === 'affine' ? [affine, sig] : [matmul, add, sig];
    this.perLayer = layerOps.length;
    const all = [...init.flatMap(() => layerOps), loss];
    const arenas = options.storage !== 'fresh';
    this.usePlans = options.storage === 'plans';
    // What step() asks each op's backward for: the first layer needs no gradient for x, the loss none for y.
    const needsOf = (k: number, op: AnyOp): readonly boolean[] => {
      if (k === all.length - 1) return DirectNet.LOSS;
      if (op === sig) return DirectNet.ONE;
      if (op === add) return DirectNet.TWO;
      if (op === matmul) return k < this.perLayer ? DirectNet.FIRST_MATMUL : DirectNet.TWO;
      return k < this.perLayer ? DirectNet.FIRST_AFFINE : DirectNet.THREE;
    };
    this.ops = all.map((op, k) => ({
      op,
      box: { inputs: new Array<Tensor>(op === affine || op === dense ? 3 : op === sig ? 1 : 2), output: undefined as never, attrs: op === dense ? DirectNet.SIGMOID : DirectNet.NONE },
      fwd: arenas ? new Arena() : null,
      bwd: arenas ? new Arena() : null,
      needs: needsOf(k, op),
      plan: undefined,
    }));
    this.opNames = all.map((op) => op.name);
    // Gradients returned per tick: the first layer's need none for x; the loss's one for the prediction.
    const perLayerGrads = options.fusion === 'dense' ? 3 : options.fusion === 'affine' ? 3 + 1 : 2 + 2 + 1;
    this.outputsPerTick = all.length + perLayerGrads * init.length - 1 + 1;
    this.grads = this.params.map(() => null);
    this.seed = tensor(1);
  }

  private forward(k: number): Tensor {
    const d = this.ops[k]!, { op, box, fwd } = d;
    if (this.usePlans) {
      // As the engine: the plan made from the first inputs (every tick here has the same shapes).
      if (d.plan === undefined) d.plan = op.plan === null ? null : op.plan(box.inputs, box.attrs, d.needs);
      if (d.plan !== null) return (box.output = d.plan.forward(box.inputs));
    }
    if (fwd !== null) enterArena(fwd);
    const out = op.forward(box.inputs, box.attrs);
    if (fwd !== null) restoreArena(null);
    box.output = out;
    return out;
  }

  private backward(k: number, g: Tensor, needs: readonly boolean[]): readonly (Tensor | null)[] {
    const d = this.ops[k]!, { op, box, bwd } = d;
    if (d.plan !== null && d.plan !== undefined) return d.plan.backward(g);
    if (bwd !== null) enterArena(bwd);
    const r = op.backward(g, box, needs);
    if (bwd !== null) restoreArena(null);
    return r;
  }

  /** One SGD step on one sample; returns the loss before the update. */
  step(x: Tensor, y: Tensor): number {
    const L = this.layers, P = this.perLayer, ops = this.ops, params = this.params, fusion = this.fusion;
    let h = x;
    for (let l = 0; l < L; l++) {
      const k = P * l, W = params[2 * l]!.peek(), b = params[2 * l + 1]!.peek(); // peek: read without exposing, so sgd may update in place as it does under the engine
      if (fusion === 'none') {
        ops[k]!.box.inputs[0] = h;
        ops[k]!.box.inputs[1] = W;
        ops[k + 1]!.box.inputs[0] = this.forward(k);
        ops[k + 1]!.box.inputs[1] = b;
      } else {
        const box = ops[k]!.box;
        box.inputs[0] = h;
        box.inputs[1] = W;
        box.inputs[2] = b;
      }
      if (fusion !== 'dense') ops[k + P - 1]!.box.inputs[0] = this.forward(k + P - 2);
      h = this.forward(k + P - 1);
    }
    const kl = P * L;
    ops[kl]!.box.inputs[0] = h;
    ops[kl]!.box.inputs[1] = y;
    const value = this.forward(kl).data[0]!;
    let g = this.backward(kl, this.seed, DirectNet.LOSS)[0]!;
    for (let l = L - 1; l >= 0; l--) {
      const k = P * l;
      if (fusion === 'none') {
        const ga = this.backward(k + 2, g, DirectNet.ONE)[0]!;
        const gAdd = this.backward(k + 1, ga, DirectNet.TWO);
        const gMatmul = this.backward(k, gAdd[0]!, l > 0 ? DirectNet.TWO : DirectNet.FIRST_MATMUL);
        this.grads[2 * l] = gMatmul[1]!;
        this.grads[2 * l + 1] = gAdd[1]!;
        g = gMatmul[0]!;
      } else {
        const ga = fusion === 'affine' ? this.backward(k + 1, g, DirectNet.ONE)[0]! : g;
        const r = this.backward(k, ga, l > 0 ? DirectNet.THREE : DirectNet.FIRST_AFFINE);
        this.grads[2 * l] = r[1]!;
        this.grads[2 * l + 1] = r[2]!;
        g = r[0]!;
      }
    }
    this.optimizer.step(params, this.grads);
    return value;
  }
}

/** How the engine fuses the network's layers (asserts that the direct path then runs its exact op list). */
export function engineFusion(init: readonly LayerInit[]): Fusion {
  return directPlan(init).fusion;
}

/** How the engine schedules the network: its fusion, its op count, and the tensors its ops return per tick. */
export function directPlan(init: readonly LayerInit[]): { fusion: Fusion; ops: number; outputsPerTick: number } {
  const names = scheduledOps(graphNet(init).loss);
  const fusion: Fusion = names.includes('dense') ? 'dense' : names.includes('affine') ? 'affine' : 'none';
  const direct = new DirectNet(init, 0, { storage: 'fresh', fusion });
  if (names.join(',') !== direct.opNames.join(',')) {
    throw new Error(`W4: the engine schedules [${names.join(', ')}] but the direct path runs [${direct.opNames.join(', ')}]; update DirectNet`);
  }
  return { fusion, ops: names.length, outputsPerTick: direct.outputsPerTick };
}

/** The direct path's rows; 'plans' is what a compiled engine run does, so overheads are taken against it. */
export const DIRECT_NAMES: Record<DirectStorage, string> = { plans: 'direct ops, plans', arenas: 'direct ops, arenas', fresh: 'direct ops, fresh storage' };
const BASE = DIRECT_NAMES.plans;

/** The contenders of one W4 network. */
export function w4Contenders(
  sizes: readonly number[], ticks: number, lr: number,
): { contenders: Contender[]; losses: Map<string, () => number>; plan: ReturnType<typeof directPlan> } {
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

  let engine: ReturnType<typeof engineStepper> | null = null;
  let lastEngine = 0;
  contenders.push({
    name: 'engine: Execution + sgd (internal)',
    samples: ticks,
    setup() {
      engine = engineStepper(init, lr);
    },
    run() {
      const e = engine!;
      for (let i = 0; i < samples.length; i++) e.step(samples[i]!, i);
    },
    after() {
      lastEngine = engine!.losses();
      engine!.close();
    },
  });
  losses.set('engine: Execution + sgd (internal)', () => lastEngine);

  const plan = directPlan(init), fusion = plan.fusion;
  for (const storage of ['plans', 'arenas', 'fresh'] as const) {
    const name = DIRECT_NAMES[storage];
    let net: DirectNet | null = null;
    let last = 0;
    contenders.push({
      name,
      samples: ticks,
      setup() {
        net = new DirectNet(init, lr, { storage, fusion });
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
  return { contenders, losses, plan };
}

/** Ticks run before an allocation measurement starts (see runW4). */
const ALLOC_WARMUP = 20_000;

export interface AllocResult {
  variant: string;
  net: string;
  ticks: number;
  heapBytesPerTick: number;
  arrayBufferBytesPerTick: number;
  collectionsDuringMeasurement: number;
  tensorObjectBytes: number;
}

const CHILD = benchFile('alloc-child.ts');
/** The child is TypeScript: it runs under tsx's loader, found from here (not from the caller's flags). */
const TSX = pathToFileURL(join(dirname(createRequire(import.meta.url).resolve('tsx/package.json')), 'dist', 'loader.mjs')).href;
/** Node flags that load the child: nothing when compiled, tsx's loader for TypeScript. */
const LOADER = COMPILED ? [] : ['--import', TSX];

/** Runs the allocation child for one variant (see the header). */
export function measureAllocation(variant: string, net: string, ticks: number, warmup = 5_000): AllocResult {
  const args = [...LOADER, '--expose-gc', '--min-semi-space-size=256', '--max-semi-space-size=256', CHILD, 'alloc', variant, net, String(ticks), String(warmup)];
  const r = spawnSync(process.execPath, args, {
    encoding: 'utf8',
    timeout: 120_000,
  });
  const line = r.stdout.split('\n').find((l) => l.startsWith('ALLOC '));
  if (r.status !== 0 || line === undefined) throw new Error(`alloc child ${variant} ${net} failed (${r.status}): ${r.stderr.slice(-2000)}`);
  const result = JSON.parse(line.slice(6)) as AllocResult;
  // A collection in the window makes the figures approximate (freed ArrayBuffers are released
  // after it reports): measure again over fewer ticks.
  if (result.collectionsDuringMeasurement > 0 && ticks >= 400) return measureAllocation(variant, net, Math.floor(ticks / 2), warmup);
  return result;
}

/** Heap bytes allocated per tick by allocating function, from V8's sampling heap profiler in a child. */
export function allocationSites(variant: string, net: string, ticks: number, warmup = ALLOC_WARMUP): { site: string; bytesPerTick: number }[] {
  const args = [...LOADER, CHILD, 'sites', variant, net, String(ticks), String(warmup)];
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', timeout: 120_000 });
  const line = r.stdout.split('\n').find((l) => l.startsWith('SITES '));
  if (r.status !== 0 || line === undefined) throw new Error(`sites child ${variant} ${net} failed (${r.status}): ${r.stderr.slice(-2000)}`);
  return (JSON.parse(line.slice(6)) as { sites: { site: string; bytesPerTick: number }[] }).sites;
}

/** Scavenges and full collections per 100,000 ticks under `--trace-gc` at default heap sizes. */
export function countCollections(variant: string, net: string, ticks: number, warmup = 5_000): { scavengesPer100k: number; markCompactsPer100k: number } {
  const args = [...LOADER, '--trace-gc', CHILD, 'gc', variant, net, String(ticks), String(warmup)];
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
export async function runW4(
  o: W4Options, log: (line: string) => void = () => {},
): Promise<{ rows: Row[]; alloc: unknown[]; sites: Record<string, { site: string; bytesPerTick: number }[]> }> {
  const rows: Row[] = [];
  const alloc: unknown[] = [];
  const sites: Record<string, { site: string; bytesPerTick: number }[]> = {};
  for (const [label, sizes] of Object.entries(W4_NETS)) {
    const ticks = o.ticks[label] ?? 20_000;
    const { contenders, losses, plan } = w4Contenders(sizes, ticks, W4_LR);
    const times = await interleaved(contenders, { warmup: o.warmup, rounds: o.rounds, progress: (r) => log(`  W4 ${label} round ${r}`) });
    const nsPerTick = (name: string) => times.get(name)!.map((s) => (s / ticks) * 1e9);
    const ops = plan.ops, written = 3 * (sizes.length - 1) + 1;
    const direct = nsPerTick(BASE);
    for (const c of contenders) {
      const ns = nsPerTick(c.name);
      rows.push({
        workload: `W4 ${label}`, implementation: c.name, value: median(ns), unit: 'ns/tick',
        ratio: median(ns.map((v, r) => direct[r]! / v)), against: BASE, loss: null, final: losses.get(c.name)!(), rounds: ns,
      });
    }
    const pairs = [
      ['learn', BASE], ['learn', DIRECT_NAMES.arenas], ['learn', DIRECT_NAMES.fresh], ['through + grad$ + sgd', BASE],
      ['engine: Execution + sgd (internal)', BASE], ['learn', 'engine: Execution + sgd (internal)'],
    ] as const;
    const fused = plan.fusion === 'dense' ? ` (dense = matmul + add + sigmoid fused; ${written} as written)` : plan.fusion === 'affine' ? ` (affine = matmul + add fused; ${written} as written)` : '';
    for (const [graph, base] of pairs) {
      const g = nsPerTick(graph), b = nsPerTick(base);
      const per = g.map((v, r) => (v - b[r]!) / ops);
      rows.push({
        workload: `W4 ${label}`, implementation: `overhead: ${graph} − ${base}`, value: median(per), unit: 'ns/op/tick',
        ratio: null, against: null, loss: null, final: null, rounds: per, note: `${ops} ops per tick as scheduled${fused}, forward + backward each`,
      });
    }
    // The same difference per tick, and per op as the user wrote the network: with fusion, fewer
    // scheduled ops share the fixed per-tick cost, so the per-scheduled-op figure grows as the
    // total shrinks. All three views of one measurement.
    {
      const g = nsPerTick('learn'), b = nsPerTick(BASE);
      const perTick = g.map((v, r) => v - b[r]!);
      rows.push({
        workload: `W4 ${label}`, implementation: `overhead: learn − ${BASE}, per tick`, value: median(perTick), unit: 'ns/tick',
        ratio: null, against: null, loss: null, final: null, rounds: perTick, note: 'the whole graph and operator cost of one training step',
      });
      const perWritten = perTick.map((v) => v / written);
      rows.push({
        workload: `W4 ${label}`, implementation: `overhead: learn − ${BASE}, per op as written`, value: median(perWritten), unit: 'ns/op/tick',
        ratio: null, against: null, loss: null, final: null, rounds: perWritten, note: `${written} ops as written (matmul, add, sigmoid per layer; mse), forward + backward each`,
      });
    }
    // Where learn's allocations come from, by allocating function.
    const learnSites = allocationSites('learn', label, Math.max(o.allocTicks, 10_000));
    sites[label] = learnSites;
    log(`  W4 ${label} learn: heap bytes per tick by allocating function (sampling heap profiler; file:line of the function):`);
    for (const { site, bytesPerTick } of learnSites.slice(0, 10)) log(`    ${bytesPerTick.toFixed(0).padStart(6)} B  ${site}`);
    for (const variant of ['learn', 'through', 'direct-plans', 'direct-arenas', 'direct-fresh', 'reference']) {
      // A long warm-up: while V8 is still optimising (and occasionally deoptimising) the tick, its
      // code and feedback objects land in the measured window: after 3,000 warm-up ticks 2-16-1
      // learn read 428-954 B/tick over five runs, after 20,000 it read 386 every time.
      const a = measureAllocation(variant, label, o.allocTicks, ALLOC_WARMUP);
      // The --trace-gc cross-check costs a process each: run it for the pair the target compares.
      const gc = variant === 'learn' || variant === 'direct-plans' ? countCollections(variant, label, o.gcTicks, ALLOC_WARMUP) : null;
      alloc.push({ ...a, ...gc, opsScheduled: ops, opOutputsPerTick: plan.outputsPerTick });
      const scavenges = gc === null ? '' : `; ${gc.scavengesPer100k.toFixed(1)} scavenges/100k ticks (--trace-gc)`;
      log(`  W4 ${label} alloc ${variant}: ${a.heapBytesPerTick.toFixed(0)} B heap + ${a.arrayBufferBytesPerTick.toFixed(0)} B buffers per tick${scavenges}`);
      rows.push({
        workload: `W4 ${label}`, implementation: `alloc: ${variant}`, value: a.heapBytesPerTick + a.arrayBufferBytesPerTick, unit: 'bytes/tick',
        ratio: null, against: null, loss: null, final: null, rounds: [],
        note: `heap ${a.heapBytesPerTick.toFixed(0)} (≈ ${(a.heapBytesPerTick / a.tensorObjectBytes).toFixed(1)} Tensor objects of ${a.tensorObjectBytes.toFixed(0)} B) + buffers ${a.arrayBufferBytesPerTick.toFixed(0)}${scavenges}${a.collectionsDuringMeasurement > 0 ? `; ${a.collectionsDuringMeasurement} GC in the window: approximate` : ''}`,
      });
    }
  }
  return { rows, alloc, sites };
}
