/**
 * The stream protocol: one Execution is one run of a compiled {@link Program}.
 *
 * Forward. Each input delivers one tensor per tick, in any order and with any interleaving of
 * ticks. A tick's state lives in a TickRecord. Whenever an input arrives, every op of that tick
 * whose inputs are all present runs, in topological order (so a node emits tick t once all of its
 * inputs delivered t). Parameters are read once per tick, at their first use, so all uses within a
 * tick see one version.
 *
 * Backward. When every trained loss of a tick has its value, the backward sweep runs in reverse
 * topological order over the slots that need a gradient. Each slot's gradient is the sum of its
 * edges' contributions in edge order (consumer creation order, then input position): bit-for-bit
 * reproducible whatever the arrival order. The slot publishes it on its `grad$` face, runs its op's
 * backward with that tick's saved values, and writes each input's share into that input's edge.
 *
 * Memory. A record goes back to a pool once its forward is complete and its backward (if any) has
 * run; nothing per tick outlives the tick. Ticks in flight are capped, so an input that stops
 * delivering cannot grow memory without bound.
 *
 * Errors. Anything thrown (a shape mismatch, a custom op's bug) becomes an OpError naming the op,
 * the input shapes and the tick; the run fails through `onError`, drops all its state, and completes
 * nothing else.
 */
import { Arena, type Tensor, asOpError, enterArena, formatShape, full, isTensor, restoreArena, shapesEqual, tensor, kernels } from '../index-core.js';
import { GraphError, type Node, Param, Constant, formatStaticShape, releaseFaces } from './node.js';
import { type Program, SlotKind } from './program.js';
import { type CompiledTick, compileTick, compiledTicksEnabled } from './compile-tick.js';
import { PlannedSlot } from './planned-slot.js';
import type { OpPlan } from '../ops/index.js';

/** State of one tick while it is in flight. */
export class TickRecord {
  tick = 0;
  /** Forward value per slot (undefined until computed / fed / first read). */
  readonly values: (Tensor | undefined)[];
  /** Final gradient per slot (null: no gradient reached it this tick). */
  readonly grads: (Tensor | null | undefined)[];
  /** Gradient contribution per edge. */
  readonly contrib: (Tensor | null | undefined)[];
  opsLeft = 0;
  /** Whether the parameters this tick read have been released. */
  unpinned = false;
  lossesLeft = 0;
  outputsLeft = 0;
  fed = 0;
  backwardDone = false;

  constructor(slots: number, edges: number) {
    this.values = new Array(slots).fill(undefined);
    this.grads = new Array(slots).fill(undefined);
    this.contrib = new Array(edges).fill(undefined);
  }
}

export interface ExecutionHooks {
  /** Every output of the tick has its value (the tick's backward may not have run yet). */
  onOutputs?(record: TickRecord): void;
  /** The tick's backward has run; `record.grads` holds the gradients (parameters' included). */
  onBackward?(record: TickRecord): void;
  /** The tick is fully processed; the record is recycled right after this returns. */
  onTickDone?(record: TickRecord): void;
  /** The run failed; state is already released. */
  onError(error: unknown): void;
}

export interface ExecutionOptions {
  /** Most ticks allowed in flight at once (default 1024). */
  maxInFlight?: number;
  /**
   * Reuse the storage of recyclable ops from one tick to the next (see `OpSpec.recyclable`). Only
   * valid when each tick is finished before the next starts (so `maxInFlight` is forced to 1) and
   * the driver copies every value it hands out; faces receive copies automatically.
   */
  recycle?: boolean;
  /**
   * Whether this run shows its values on the nodes' faces (`node.subscribe`, `grad$`; default true).
   * false makes an internal pass whose values only its driver sees — learn's prediction pass, which
   * computes nodes that the training pass computes again in the same tick: the faces show the
   * training pass, so each node still emits once per tick.
   */
  faces?: boolean;
}

let liveTicks = 0;

/**
 * Ticks held in flight by all running graphs: zero once every run has finished its ticks. For tests
 * and for debugging leaks.
 */
export function retainedTicks(): number {
  return liveTicks;
}

interface QueuedFeed {
  position: number;
  tick: number;
  value: Tensor;
}

/** Saved-state object handed to an op's backward; one per op slot, refilled for each call. */
interface SavedBox {
  inputs: Tensor[];
  output: Tensor;
  attrs: object;
  tick: number;
}

export class Execution {
  private readonly records = new Map<number, TickRecord>();
  private readonly pool: TickRecord[] = [];
  /** The finished record kept for the next tick when one tick is in flight at a time (`single`). */
  private spare: TickRecord | null = null;
  private lastRecord: TickRecord | null = null;
  /** The tick in flight when at most one may be (`single`). */
  private current: TickRecord | null = null;
  private readonly single: boolean;
  private readonly inputDone: Uint8Array;
  /** Per input, the last shape array that passed its declared-shape check (shapes are never mutated). */
  private readonly acceptedShapes: (readonly number[] | null)[];
  /** Per input, its node (place runs per input per tick). */
  private readonly inputNodes: Node[];
  private doneInputs = 0;
  private busy = false;
  private readonly queue: QueuedFeed[] = [];
  private readonly scratchArgs: (Tensor[] | null)[];
  private readonly saved: (SavedBox | null)[];
  private readonly isOutput: Uint8Array;
  private readonly outputCount: number;
  /** Output slots that are parameters or constants (known when a tick starts). */
  private readonly staticOutputs: Int32Array;
  /** Op slots whose backward results are checked (shape, dtype): ops not known to be well-behaved. */
  private readonly checkResults: Uint8Array;
  private readonly isLoss: Int32Array; // loss index + 1, or 0
  private readonly seeds: (Tensor | null)[];
  /** Per loss, the shape array its cached seed was last found to match. */
  private readonly seedShapes: (readonly number[] | null)[];
  private readonly maxInFlight: number;
  private readonly paramNodes: (Param | null)[];
  /** Slots of every parameter the program reads. */
  private readonly paramSlotList: Int32Array;
  private readonly constants: (Tensor | null)[];
  private started = false;
  /** True once the run has completed, failed or been disposed. */
  closed = false;
  /** Storage reused between ticks, per op slot: forward, backward, and gradient sums. */
  private readonly forwardArenas: (Arena | null)[];
  private readonly backwardArenas: (Arena | null)[];
  private readonly sumArenas: (Arena | null)[];
  /** Per op slot, the array a recyclable op's backward may return its gradients in (see OpSpec.backward). */
  private readonly results: ((Tensor | null)[] | null)[];
  /** Per op slot, the op's plan for the shapes of the first tick (compiled ticks only), or null. */
  private readonly plans: (PlannedSlot | null)[];
  /** Per op slot, 1 once a plan has been asked for; ops without a `plan` hook start at 1. */
  private readonly planTried: Uint8Array;
  /** Whether values handed out (faces) must be copied because their storage will be reused. */
  readonly recycle: boolean;
  /** Whether this run emits on the nodes' faces (see ExecutionOptions.faces). */
  private readonly faces: boolean;
  /** Whether this run may compile its tick (the switch as it was when the run started). */
  private readonly compile = compiledTicksEnabled();
  /** The compiled tick (undefined: not built yet; null: interpret). */
  private compiled: CompiledTick | null | undefined = undefined;
  /** Where a compiled tick is, for its error messages. */
  private where = { slot: -1, backward: false };

  constructor(readonly program: Program, private readonly hooks: ExecutionHooks, options: ExecutionOptions = {}) {
    const p = program;
    const count = p.nodes.length;
    this.recycle = options.recycle ?? false;
    this.faces = options.faces ?? true;
    this.maxInFlight = this.recycle ? 1 : options.maxInFlight ?? 1024;
    this.single = this.maxInFlight === 1;
    const arenas = (enabled: (i: number) => boolean) => p.nodes.map((_, i) => (this.recycle && enabled(i) ? new Arena() : null));
    this.forwardArenas = arenas((i) => p.ops[i]?.recyclable === true);
    this.backwardArenas = arenas((i) => p.ops[i]?.recyclable === true && p.needsGrad[i] === 1);
    this.sumArenas = arenas((i) => p.needsGrad[i] === 1 && p.gradEdges[i]!.length > 1);
    // Recyclable ops keep nothing they return, so their backward may refill one array per slot.
    this.results = p.argSlots.map((a, i) => (a !== null && p.ops[i]?.recyclable === true && p.needsGrad[i] === 1 ? new Array<Tensor | null>(a.length).fill(null) : null));
    // Made now rather than on the first tick, so a new run's first tick takes the same path as every
    // other (a path first taken in optimised code deoptimises it).
    if (this.single) this.spare = new TickRecord(count, p.edgeCount);
    this.plans = new Array(count).fill(null);
    // Plans keep their storage from tick to tick: only for runs that recycle (see OpSpec.plan).
    this.planTried = Uint8Array.from(p.nodes, (_, i) => (this.recycle && p.ops[i]?.plan != null ? 0 : 1));
    this.inputDone = new Uint8Array(p.inputSlots.length);
    this.acceptedShapes = new Array(p.inputSlots.length).fill(null);
    this.inputNodes = Array.from(p.inputSlots, (s) => p.nodes[s]!);
    this.scratchArgs = p.argSlots.map((a) => (a ? new Array<Tensor>(a.length) : null));
    this.saved = p.argSlots.map((a, i) => (a ? { inputs: new Array<Tensor>(a.length), output: undefined as never, attrs: p.attrs[i]!, tick: 0 } : null));
    this.isOutput = new Uint8Array(count);
    for (const s of p.outputSlots) this.isOutput[s] = 1;
    this.outputCount = this.isOutput.reduce((a, b) => a + b, 0);
    this.staticOutputs = Int32Array.from(
      [...new Set(p.outputSlots)].filter((s) => p.kinds[s] === SlotKind.Param || p.kinds[s] === SlotKind.Constant),
    );
    // Built-in (recyclable) ops are tested to return gradients of the right shape and dtype;
    // anything else is checked at every tick, so a custom op's bug is caught where it happens.
    this.checkResults = Uint8Array.from(p.ops, (op) => (op !== null && !op.recyclable ? 1 : 0));
    this.isLoss = new Int32Array(count);
    p.lossSlots.forEach((s, k) => (this.isLoss[s] = k + 1));
    this.seeds = new Array(p.lossSlots.length).fill(null);
    this.seedShapes = new Array(p.lossSlots.length).fill(null);
    this.paramNodes = p.nodes.map((n) => (n instanceof Param ? n : null));
    this.paramSlotList = Int32Array.from(p.nodes.flatMap((n, i) => (n instanceof Param ? [i] : [])));
    this.constants = p.nodes.map((n) => (n instanceof Constant ? n.value : null));
  }

  /** Registers the run with its nodes' faces. Call once before feeding. */
  start(): void {
    if (this.started) return;
    this.started = true;
    // A run without faces neither feeds nor holds them open.
    if (this.faces) for (const n of this.program.nodes) n.activeRuns++;
  }

  /** Ticks currently in flight in this run. */
  get inFlight(): number {
    return this.single ? (this.current === null ? 0 : 1) : this.records.size;
  }

  /**
   * Delivers input `position`'s value for `tick`. Re-entrant calls (a subscriber feeding the graph
   * from inside a callback) are queued and run after the current tick, so the stack never grows.
   */
  feed(position: number, tick: number, value: Tensor): void {
    if (this.closed) return;
    if (this.busy) {
      this.queue.push({ position, tick, value });
      return;
    }
    this.turn(tick, null, position, value);
  }

  /**
   * One turn of the engine, for a single input (`all` null) or a whole tick: marks the run busy (so
   * re-entrant feeds queue up), keeps allocation out of any arena (this may run inside another
   * graph's op), drains what was queued, and turns a throw into the run's failure. (No closure per
   * call: this is the per-sample path.)
   */
  private turn(tick: number, all: readonly Tensor[] | null, position: number, value: Tensor | null): void {
    this.busy = true;
    const outer = enterArena(null);
    try {
      if (all === null) this.deliver(position, tick, value!);
      else this.deliverAll(tick, all);
      while (this.queue.length > 0 && !this.closed) {
        const q = this.queue.shift()!;
        this.deliver(q.position, q.tick, q.value);
      }
    } catch (error) {
      this.fail(error);
    } finally {
      this.busy = false;
      restoreArena(outer);
    }
  }

  /**
   * Delivers every input's value for one tick at once (the `learn` fast path): one forward sweep.
   */
  feedAll(tick: number, values: readonly Tensor[]): void {
    if (this.closed) return;
    if (this.busy) {
      values.forEach((value, position) => this.queue.push({ position, tick, value }));
      return;
    }
    this.turn(tick, values, 0, null);
  }

  /** A whole tick at once: compiled when the run compiles, else the interpreter's sweep. */
  private deliverAll(tick: number, values: readonly Tensor[]): void {
    const record = this.recordFor(tick, 0);
    const fresh = record.fed === 0 && values.length === this.program.inputSlots.length;
    for (let k = 0; k < values.length; k++) this.place(record, k, values[k]!);
    const compiled = fresh && !this.closed ? this.compiledTick() : null;
    if (compiled !== null) {
      this.runCompiled(compiled, record);
      if (!this.closed) this.finishTick(record);
    } else this.sweep(record);
  }

  /**
   * The compiled form of this program's tick (see compile-tick.ts), built on first use for runs that
   * recycle storage (learn, through: many ticks of one program); null means interpret.
   */
  private compiledTick(): CompiledTick | null {
    if (this.compiled !== undefined) return this.compiled;
    if (!this.recycle || !this.compile) return (this.compiled = null);
    this.compiled = compileTick({
      program: this.program,
      scratchArgs: this.scratchArgs,
      saved: this.saved,
      forwardArenas: this.forwardArenas,
      backwardArenas: this.backwardArenas,
      sumArenas: this.sumArenas,
      results: this.results,
      isOutput: this.isOutput,
      checkResults: this.checkResults,
      isLoss: this.isLoss,
      seeds: this.seeds,
      seedShapes: this.seedShapes,
      plans: this.plans,
      planTried: this.planTried,
      where: this.where,
      host: this,
      faces: this.faces,
      onOutputs: this.hooks.onOutputs ?? null,
      onBackward: this.hooks.onBackward ?? null,
    });
    return this.compiled;
  }

  /**
   * Asks the op of `slot` for a plan fitted to `inputs`, which its own forward has just accepted (so
   * they are valid). Called once per slot, outside any arena: a plan's storage outlives the tick.
   * @internal Called by compiled ticks (TickHost).
   */
  makePlan(slot: number, inputs: readonly Tensor[]): void {
    this.planTried[slot] = 1;
    const p = this.program;
    const needs = p.backwardNeeds[slot] ?? inputs.map(() => false);
    let plan;
    try {
      plan = p.ops[slot]!.plan!(inputs, p.attrs[slot]!, needs);
    } catch (error) {
      // A custom plan's bug: named as such (already the final error, so not re-wrapped as the forward's).
      this.where.slot = -1;
      throw this.opFailure(p.nodes[slot]!, inputs, error, this.current?.tick ?? -1, 'plan');
    }
    this.plans[slot] = plan === null ? null : new PlannedSlot(plan, inputs);
  }

  /**
   * The plan op slot `slot` runs (see `OpSpec.plan`), or null while it has none: made on the first
   * compiled tick, kept after. For drivers that ask a plan about its last results (learn's
   * finiteness check, see `OpPlan.vouchesFinite`).
   */
  planAt(slot: number): OpPlan | null {
    return this.plans[slot]?.plan ?? null;
  }

  /** Runs a compiled tick, turning a throw inside an op into the interpreter's error for that op. */
  private runCompiled(compiled: CompiledTick, record: TickRecord): void {
    try {
      compiled(record);
    } catch (error) {
      const { slot, backward } = this.where;
      if (slot < 0) throw error; // a hook, a seed or a check: already the right error
      this.where.slot = -1;
      const node = this.program.nodes[slot]!;
      // This tick's inputs of the op: its forward's arguments (the saved box is filled only for an op's own backward).
      const args = this.scratchArgs[slot]!;
      if (backward) throw this.opFailure(node, args, error, record.tick, 'backward');
      throw this.fusedFailure(slot, args, record.tick) ?? this.opFailure(node, args, error, record.tick, '');
    }
  }

  /**
   * Checks one gradient an op (or its plan) returned against its input, for ops that are not
   * recyclable. The inputs are this tick's forward arguments: the saved box is filled only when the
   * op's own backward runs.
   * @internal Called by compiled ticks (TickHost).
   */
  checkBackward(s: number, j: number, r: unknown, tick: number): void {
    if (r === null || r === undefined) return;
    const inputs = this.scratchArgs[s]!;
    const x = inputs[j]!;
    if (!isTensor(r) || !shapesEqual(r.shape, x.shape) || r.dtype !== x.dtype) {
      const got = isTensor(r) ? `${formatShape(r.shape)} ${r.dtype}` : typeof r;
      throw this.opFailure(this.program.nodes[s]!, inputs, new Error(`gradient for input ${j} should be ${formatShape(x.shape)} ${x.dtype}, got ${got}`), tick, 'backward');
    }
  }

  /** A value as handed out of the engine: a copy when its storage will be reused. @internal Called by compiled ticks (TickHost). */
  out(value: Tensor): Tensor {
    return this.recycle ? value.clone() : value;
  }

  /** Input `position` will deliver nothing more. */
  completeInput(position: number): void {
    if (this.closed || this.inputDone[position]) return;
    this.inputDone[position] = 1;
    this.doneInputs++;
    const slot = this.program.inputSlots[position]!;
    for (const record of this.inFlightRecords()) {
      if (record.values[slot] === undefined) {
        this.fail(new GraphError(`input ${this.program.nodes[slot]!.name} completed without delivering tick ${record.tick}`, record.tick));
        return;
      }
    }
  }

  /** All inputs have completed: the run ends (it must have no tick left half-done). */
  get finished(): boolean {
    return this.doneInputs === this.inputDone.length && this.inFlight === 0;
  }

  /** Releases everything; faces complete (or error with `error`). Idempotent. */
  dispose(error?: unknown): void {
    if (this.closed) return;
    this.closed = true;
    liveTicks -= this.inFlight;
    for (const record of this.inFlightRecords()) this.unpin(record);
    this.records.clear();
    this.current = null;
    this.queue.length = 0;
    this.lastRecord = null;
    if (this.started && this.faces) for (const n of this.program.nodes) releaseFaces(n, error);
  }

  private fail(error: unknown): void {
    if (this.closed) return;
    this.dispose(error);
    this.hooks.onError(error);
  }

  /** The records of the ticks in flight. */
  private inFlightRecords(): Iterable<TickRecord> {
    if (this.single) return this.current === null ? [] : [this.current];
    return this.records.values();
  }

  private recordFor(tick: number, position: number): TickRecord {
    const last = this.lastRecord;
    if (last !== null && last.tick === tick) return last;
    // One tick at a time (learn, through, run) needs no map: the record in flight is `current`.
    let record = this.single ? (this.current !== null && this.current.tick === tick ? this.current : undefined) : this.records.get(tick);
    if (record === undefined) {
      if (!Number.isFinite(tick)) throw new GraphError(`tick must be a finite number, got ${tick}`);
      if (this.doneInputs > 0) {
        const p = this.program;
        for (let k = 0; k < this.inputDone.length; k++) {
          if (this.inputDone[k]) {
            throw new GraphError(`input ${p.nodes[p.inputSlots[k]!]!.name} completed, so tick ${tick} (started by input ${p.nodes[p.inputSlots[position]!]!.name}) can never complete`, tick);
          }
        }
      }
      if (this.inFlight >= this.maxInFlight) {
        const waiting = [...this.inFlightRecords()].map((r) => r.tick);
        throw new GraphError(`more than ${this.maxInFlight} ticks in flight: an input is not keeping up (waiting on ticks ${waiting.slice(0, 5).join(', ')}…)`, tick);
      }
      if (this.single) {
        record = this.spare ?? new TickRecord(this.program.nodes.length, this.program.edgeCount);
        this.spare = null;
      } else record = this.pool.pop() ?? new TickRecord(this.program.nodes.length, this.program.edgeCount);
      record.tick = tick;
      record.opsLeft = this.program.opSlots.length;
      record.lossesLeft = this.program.lossSlots.length;
      record.outputsLeft = this.outputCount;
      record.fed = 0;
      record.backwardDone = false;
      record.unpinned = false;
      if (this.single) this.current = record;
      else this.records.set(tick, record);
      liveTicks++;
      // Outputs that are parameters or constants are known at once.
      const known = this.staticOutputs;
      for (let k = 0; k < known.length; k++) {
        this.valueOf(record, known[k]!);
        record.outputsLeft--;
      }
    }
    this.lastRecord = record;
    return record;
  }

  private deliver(position: number, tick: number, value: Tensor): void {
    const record = this.recordFor(tick, position);
    this.place(record, position, value);
    this.sweep(record);
  }

  /** Stores an input value after checking it against the input's declared shape and dtype. */
  private place(record: TickRecord, position: number, value: Tensor): void {
    const slot = this.program.inputSlots[position]!;
    const node = this.inputNodes[position]!;
    if (record.values[slot] !== undefined) throw new GraphError(`input ${node.name} delivered tick ${record.tick} twice`, record.tick);
    if (!isTensor(value)) value = tensor(value as never, { dtype: node.dtype ?? 'float64' });
    // A fed vector usually brings the same shape array as last tick (asInput shares them): then
    // the shape was checked already (shapes are never mutated).
    if (value.shape !== this.acceptedShapes[position]) this.checkInputShape(node, position, value, record.tick);
    const dtype = node.dtype;
    if (dtype !== null && value.dtype !== dtype) {
      throw new GraphError(`input ${node.name} expects ${dtype}, got ${value.dtype} at tick ${record.tick}`, record.tick);
    }
    record.values[slot] = value;
    record.fed++;
    if (this.faces && node.face !== null) node.face.next({ tick: record.tick, value: this.out(value) });
    if (this.isOutput[slot] === 1 && --record.outputsLeft === 0) this.hooks.onOutputs?.(record);
  }

  private checkInputShape(node: Node, position: number, value: Tensor, tick: number): void {
    const declared = node.shape;
    if (declared === null) return;
    let ok = declared.length === value.rank;
    for (let i = 0; ok && i < declared.length; i++) {
      const d = declared[i];
      if (d !== null && d !== value.shape[i]) ok = false;
    }
    if (!ok) throw new GraphError(`input ${node.name} expects shape ${formatStaticShape(declared)}, got ${formatShape(value.shape)} at tick ${tick}`, tick);
    this.acceptedShapes[position] = value.shape;
  }

  /** The value of a slot for this tick; parameters are read (and shown on their face) at first use. */
  private valueOf(record: TickRecord, slot: number): Tensor | undefined {
    const v = record.values[slot];
    if (v !== undefined) return v;
    const kind = this.program.kinds[slot];
    if (kind === SlotKind.Param) {
      const node = this.paramNodes[slot]!;
      // A value that leaves the engine (a face, an output) is exposed; otherwise it is only read,
      // and pinned until this tick's backward no longer needs it.
      const face = this.faces ? node.face : null;
      const leaves = face !== null || this.isOutput[slot] === 1;
      const value = leaves ? node.value : node.peek();
      record.values[slot] = value;
      node.pins++;
      if (face !== null) face.next({ tick: record.tick, value });
      return value;
    }
    if (kind === SlotKind.Constant) return (record.values[slot] = this.constants[slot]!);
    return undefined;
  }

  /** Runs every op of the tick whose inputs are all present, in topological order. */
  private sweep(record: TickRecord): void {
    const p = this.program;
    const opSlots = p.opSlots;
    if (record.opsLeft > 0) {
      for (let k = 0; k < opSlots.length; k++) {
        const s = opSlots[k]!;
        if (record.values[s] !== undefined) continue;
        const args = p.argSlots[s]!;
        const scratch = this.scratchArgs[s]!;
        let ready = true;
        for (let j = 0; j < args.length; j++) {
          const v = this.valueOf(record, args[j]!);
          if (v === undefined) {
            ready = false;
            break;
          }
          scratch[j] = v;
        }
        if (!ready) continue;
        const node = p.nodes[s]!;
        let out: Tensor;
        const arena = this.forwardArenas[s]!;
        if (arena !== null) enterArena(arena);
        try {
          out = p.ops[s]!.forward(scratch, p.attrs[s]!);
          if (this.checkResults[s] === 1 && !isTensor(out)) throw new TypeError(`forward returned ${typeof out}, not a Tensor`);
        } catch (error) {
          throw this.fusedFailure(s, scratch, record.tick) ?? this.opFailure(node, scratch, error, record.tick, '');
        } finally {
          if (arena !== null) restoreArena(null);
        }
        record.values[s] = out;
        record.opsLeft--;
        if (this.faces && node.face !== null) node.face.next({ tick: record.tick, value: this.out(out) });
        if (this.closed) return;
        if (this.isOutput[s] && --record.outputsLeft === 0) {
          this.hooks.onOutputs?.(record);
          if (this.closed) return;
        }
        if (this.isLoss[s]) record.lossesLeft--;
      }
    }
    if (!record.backwardDone && record.lossesLeft === 0 && p.lossSlots.length > 0) this.backward(record);
    if (this.closed) return;
    if (record.opsLeft === 0 && record.fed === p.inputSlots.length && (record.backwardDone || p.lossSlots.length === 0)) this.finishTick(record);
  }

  /**
   * A fused op failed: replay the nodes the user wrote one by one, so the error names the node that
   * fails (the matmul, the add or the activation) with that node's own input shapes.
   */
  private fusedFailure(s: number, args: readonly Tensor[], tick: number): Error | null {
    const p = this.program;
    const chain = p.fusedChain[s];
    if (chain === null || chain === undefined) return null;
    // The fused slot's inputs are the chain's inputs from outside; the rest are made on the way.
    const values = new Map<Node, Tensor>();
    p.argSlots[s]!.forEach((a, j) => values.set(p.nodes[a]!, args[j]!));
    for (const c of chain) {
      const node = p.nodes[c]!;
      const inputs = node.inputs.map((n) => values.get(n)!);
      try {
        values.set(node, node.op!.forward(inputs, node.attrs));
      } catch (error) {
        return this.opFailure(node, inputs, error, tick, '');
      }
    }
    return null;
  }

  private opFailure(node: Node, inputs: readonly Tensor[], error: unknown, tick: number, phase: string): Error {
    const e = asOpError(node.op!.name, inputs.map((t) => t?.shape ?? null), error, tick, phase);
    if (node.name.startsWith(`${node.op!.name}#`)) return e;
    return new GraphError(`${node.name}: ${e.message}`, tick, { cause: e });
  }

  /** The gradient seed of loss k (its weight, in the loss's shape and dtype). @internal Called by compiled ticks (TickHost). */
  seedFor(k: number, loss: Tensor): Tensor {
    const explicit = this.program.lossSeeds[k];
    if (explicit) {
      if (!shapesEqual(explicit.shape, loss.shape)) {
        throw new GraphError(`the gradient seed ${formatShape(explicit.shape)} does not match the shape ${formatShape(loss.shape)} of ${this.program.nodes[this.program.lossSlots[k]!]!.name}`);
      }
      return explicit.dtype === loss.dtype ? explicit : explicit.astype(loss.dtype);
    }
    const cached = this.seeds[k] ?? null;
    // The loss's shape array is usually the same object every tick (a plan's or an arena's output).
    if (cached !== null && cached.dtype === loss.dtype && (this.seedShapes[k] === loss.shape || shapesEqual(cached.shape, loss.shape))) {
      this.seedShapes[k] = loss.shape;
      return cached;
    }
    const seed = full(loss.shape, this.program.lossWeights[k]!, { dtype: loss.dtype });
    this.seeds[k] = seed;
    this.seedShapes[k] = loss.shape;
    return seed;
  }

  private backward(record: TickRecord): void {
    const p = this.program;
    const { values, contrib, grads } = record;
    const order = p.backwardSlots;
    for (let k = 0; k < order.length; k++) {
      const s = order[k]!;
      const edges = p.gradEdges[s]!;
      let g: Tensor | null = null;
      const lossIndex = this.isLoss[s]!;
      if (lossIndex > 0) g = this.seedFor(lossIndex - 1, values[s]!);
      const sumArena = this.sumArenas[s]!;
      if (sumArena !== null) enterArena(sumArena);
      for (let e = 0; e < edges.length; e++) {
        const c = contrib[edges[e]!];
        if (c) g = g === null ? c : kernels.add(g, c);
      }
      if (sumArena !== null) restoreArena(null);
      grads[s] = g;
      if (g === null) continue;
      const node = p.nodes[s]!;
      if (this.faces && node.gradFace !== null) {
        node.gradFace.next({ tick: record.tick, value: this.out(g) });
        if (this.closed) return;
      }
      if (p.kinds[s] !== SlotKind.Op) continue;
      const args = p.argSlots[s]!;
      const box = this.saved[s]!;
      for (let j = 0; j < args.length; j++) box.inputs[j] = values[args[j]!]!;
      box.output = values[s]!;
      box.tick = record.tick;
      const edgeOf = p.edgeOfArg[s]!;
      let result;
      const arena = this.backwardArenas[s]!;
      if (arena !== null) enterArena(arena);
      try {
        result = p.ops[s]!.backward(g, box, p.backwardNeeds[s]!, this.results[s] ?? undefined);
      } catch (error) {
        throw this.opFailure(node, box.inputs, error, record.tick, 'backward');
      } finally {
        if (arena !== null) restoreArena(null);
      }
      const check = this.checkResults[s] === 1;
      for (let j = 0; j < args.length; j++) {
        const e = edgeOf[j]!;
        if (e < 0) continue;
        const r = result[j] ?? null;
        if (check && r !== null) {
          const x = box.inputs[j]!;
          if (!isTensor(r) || !shapesEqual(r.shape, x.shape) || r.dtype !== x.dtype) {
            const got = isTensor(r) ? `${formatShape(r.shape)} ${r.dtype}` : typeof r;
            throw this.opFailure(node, box.inputs, new Error(`gradient for input ${j} should be ${formatShape(x.shape)} ${x.dtype}, got ${got}`), record.tick, 'backward');
          }
        }
        contrib[e] = r;
      }
    }
    record.backwardDone = true;
    for (let e = 0; e < contrib.length; e++) contrib[e] = undefined;
    // The tick no longer needs its parameter values: an optimizer may now update them in place.
    this.unpin(record);
    this.hooks.onBackward?.(record);
  }

  /** Releases the parameters a record read (once). @internal Called by compiled ticks (TickHost). */
  unpin(record: TickRecord): void {
    if (record.unpinned) return;
    record.unpinned = true;
    const slots = this.paramSlotList;
    for (let k = 0; k < slots.length; k++) {
      const s = slots[k]!;
      if (record.values[s] !== undefined) this.paramNodes[s]!.pins--;
    }
  }

  private finishTick(record: TickRecord): void {
    this.unpin(record);
    if (this.single) this.current = null;
    else this.records.delete(record.tick);
    liveTicks--;
    if (this.lastRecord === record) this.lastRecord = null;
    this.hooks.onTickDone?.(record);
    // Plain loops: Array.prototype.fill is a builtin call that costs more than these few slots.
    const { values, grads } = record;
    for (let i = 0; i < values.length; i++) {
      values[i] = undefined;
      grads[i] = undefined;
    }
    // One tick at a time keeps its one record in a field: a new run's empty pool array would have
    // another elements kind than the last run's and deoptimize this code once per run.
    if (this.single) this.spare = record;
    else this.pool.push(record);
  }
}
