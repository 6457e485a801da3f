/**
 * A compiled tick: the schedule of one Program written out as straight-line JavaScript and built
 * with `new Function`, for the runs that feed a whole tick at once and finish it before the next
 * (learn, through).
 *
 * Why: the interpreter (Execution.sweep / backward) calls every op from one call site, so V8 sees
 * a megamorphic call and can inline nothing; per-slot flags are re-read every tick. Here each op
 * gets its own call site (`op3.forward(args3, attrs3)`), monomorphic, so V8 can inline the op's
 * code into the tick, and everything known from the wiring (which slots, which edges, which
 * arenas, which checks) is decided once, at compile time. Measured on the 2-16-1 network: the
 * engine's share of a training step drops by about half.
 *
 * The generated code does exactly what the interpreter does for a tick whose inputs all arrived
 * together, in the same order: parameters read at their first use (pinned, shown on their face),
 * ops in topological order with their arenas, faces and the outputs hook, then the backward sweep
 * with seeds, contributions summed in edge order, gradient faces, the ops' backward passes, result
 * checks for ops that are not recyclable, and the backward hook. Faces are checked on every tick
 * (a subscription may start at any time), except in a run without faces (ExecutionOptions.faces),
 * whose tick has no face code at all, and a closed run stops at once. If code generation is not
 * available (a Content-Security-Policy without 'unsafe-eval'), the interpreter runs instead.
 *
 * Plans. An op with a fixed-shape plan (`OpSpec.plan`) runs the plan instead of forward and backward
 * while its inputs keep the shapes the plan was made for (after the first tick, from inputs the op
 * has just accepted); only what can change is checked per tick (see planChecks). Same bits either way
 * (the plan property test), and the interpreter never plans: compiled-against-interpreted tests
 * compare the two over whole training runs.
 */
import { type Tensor, isTensor, kernels } from '../index-core.js';
import { arenaCell } from '../tensor/arena-cell.js';
import type { TickRecord } from './execution.js';
import type { PlannedSlot } from './planned-slot.js';
import { type Program, SlotKind } from './program.js';

/**
 * The run's side of a generated tick: methods of the Execution, not closures, so that each call site
 * in the (shared, see `factories`) generated code has one target in every run; a closure per run made
 * each new run deoptimize the tick once per call site.
 */
export interface TickHost {
  /** True once the run has completed, failed or been disposed. */
  readonly closed: boolean;
  /** A value as handed out of the engine: a copy when its storage will be reused. */
  out(value: Tensor): Tensor;
  seedFor(k: number, loss: Tensor): Tensor;
  unpin(record: TickRecord): void;
  checkBackward(slot: number, j: number, result: unknown, tick: number): void;
  /** Asks slot's op for a plan fitted to these inputs (after they ran through the op's own forward). */
  makePlan(slot: number, inputs: readonly Tensor[]): void;
}

/** What the generated tick needs from its Execution. */
export interface TickEnv {
  readonly program: Program;
  readonly scratchArgs: readonly (Tensor[] | null)[];
  readonly saved: readonly ({ inputs: Tensor[]; output: Tensor; attrs: object; tick: number } | null)[];
  readonly forwardArenas: readonly unknown[];
  readonly backwardArenas: readonly unknown[];
  readonly sumArenas: readonly unknown[];
  /** Per op slot, the array its backward may return its gradients in (recyclable ops only), or null. */
  readonly results: readonly unknown[];
  readonly isOutput: Uint8Array;
  readonly checkResults: Uint8Array;
  readonly isLoss: Int32Array;
  /** Per loss, the seed (∂loss/∂loss) last used for it, or null, and the shape array it was last checked against. */
  readonly seeds: readonly (Tensor | null)[];
  readonly seedShapes: readonly (readonly number[] | null)[];
  /** Per op slot, its plan once made (see PlannedSlot), or null. */
  readonly plans: readonly (PlannedSlot | null)[];
  /** Per op slot, 1 once a plan has been asked for (ops with no `plan` start at 1). */
  readonly planTried: Uint8Array;
  /** Where the tick is, for error messages: the slot and whether in backward. */
  where: { slot: number; backward: boolean };
  /** Whether the run emits on the nodes' faces (no face code is generated when not). */
  readonly faces: boolean;
  /** The run itself, whose methods the tick calls. */
  readonly host: TickHost;
  onOutputs: ((record: TickRecord) => void) | null;
  onBackward: ((record: TickRecord) => void) | null;
}

export type CompiledTick = (record: TickRecord) => void;

let enabled = true;

/**
 * Turns compiled ticks on or off for runs started from now on (on by default); returns the previous
 * setting. Off, every run is interpreted: the same results to the bit, more slowly. For debugging,
 * and for environments whose Content-Security-Policy forbids code generation anyway.
 */
export function setCompiledTicks(on: boolean): boolean {
  const previous = enabled;
  enabled = on;
  return previous;
}

/** Whether new runs compile their ticks. */
export function compiledTicksEnabled(): boolean {
  return enabled;
}

/**
 * Everything the generated source depends on, as plain numbers: the schedule and the per-slot
 * decisions. The source is a function of the layout alone ({@link tickSource} sees nothing else),
 * so two runs with equal layouts (a new run of the same model, another epoch, a fresh model of the
 * same architecture) share one factory, found by the layout's JSON without generating the source
 * again. Generating it costs far more than the layout: on W5, where each pass builds a fresh model
 * and the set-up code runs unoptimised, the lookup by layout saved about 0.05 µs per sample of 2.9
 * (363–383 → 277–337 µs per pass).
 */
interface TickLayout {
  readonly faces: boolean;
  /** Per slot (SlotKind). */
  readonly kinds: number[];
  /** Per slot: 1 if its value is a run output. */
  readonly isOutput: number[];
  /** Per slot: the 1-based index of the loss it computes, or 0. */
  readonly isLoss: number[];
  /** Per slot: 1 if its op may run a plan (one will be asked for on the first tick). */
  readonly planned: number[];
  /** Per slot: 1 if its op's results are checked every tick (not recyclable). */
  readonly checkResults: number[];
  /** Per slot: 1 where the run keeps a forward, backward or gradient-sum arena, or a results array. */
  readonly forwardArena: number[];
  readonly backwardArena: number[];
  readonly sumArena: number[];
  readonly results: number[];
  /** Per input slot: 2 if shape and dtype are fully declared, 1 for the shape alone, else 0. */
  readonly declared: number[];
  readonly opSlots: number[];
  readonly argSlots: (number[] | null)[];
  readonly edgeOfArg: (number[] | null)[];
  readonly outputSlots: number[];
  /** Per loss: 1 if it has an explicit seed. */
  readonly lossSeeds: number[];
  readonly backwardSlots: number[];
  readonly gradEdges: number[][];
  readonly edgeCount: number;
}

function layoutOf(env: TickEnv): TickLayout {
  const p = env.program;
  const flags = (xs: ArrayLike<unknown>, on: (x: unknown) => boolean): number[] => Array.from(xs, (x) => (on(x) ? 1 : 0));
  const present = (x: unknown): boolean => x !== null && x !== undefined;
  return {
    faces: env.faces,
    kinds: Array.from(p.kinds),
    isOutput: Array.from(env.isOutput),
    isLoss: Array.from(env.isLoss),
    planned: flags(env.planTried, (x) => x === 0),
    checkResults: Array.from(env.checkResults),
    forwardArena: flags(env.forwardArenas, present),
    backwardArena: flags(env.backwardArenas, present),
    sumArena: flags(env.sumArenas, present),
    results: flags(env.results, present),
    declared: p.nodes.map((n, s) => {
      if (p.kinds[s] !== SlotKind.Input || n.shape === null || !n.shape.every((d) => d !== null)) return 0;
      return n.dtype !== null ? 2 : 1;
    }),
    opSlots: Array.from(p.opSlots),
    argSlots: p.argSlots.map((a) => (a ? Array.from(a) : null)),
    edgeOfArg: p.edgeOfArg.map((a) => (a ? Array.from(a) : null)),
    outputSlots: Array.from(p.outputSlots),
    lossSeeds: p.lossSeeds.map((seed) => (seed ? 1 : 0)),
    backwardSlots: Array.from(p.backwardSlots),
    gradEdges: p.gradEdges.map((e) => Array.from(e)),
    edgeCount: p.edgeCount,
  };
}

/** Builds the tick function, or returns null when `new Function` is not allowed. */
export function compileTick(env: TickEnv): CompiledTick | null {
  const layout = layoutOf(env);
  const key = JSON.stringify(layout);
  let factory = factories.get(key);
  if (factory === undefined) {
    try {
      // biome-ignore lint: generated code is the point here
      factory = new Function('env', 'AC', 'isTensor', 'add', tickSource(layout)) as Factory;
    } catch {
      return null; // no code generation here (CSP): the interpreter runs
    }
    if (factories.size >= MAX_FACTORIES) factories.delete(factories.keys().next().value!);
    factories.set(key, factory);
  }
  return factory(env, arenaCell, isTensor, kernels.add);
}

/** The factory's source: reads the layout and nothing else (see TickLayout). */
function tickSource(l: TickLayout): string {
  const lines: string[] = [];
  const pre: string[] = [];
  const bound = new Set<string>();
  const emit = (s: string): void => void lines.push(s);
  const bind = (name: string, expr: string): void => {
    if (bound.has(name)) return;
    bound.add(name);
    pre.push(`const ${name} = ${expr};`);
  };

  // Per-tick locals of the generated function beyond the fixed ones (whether a slot ran its plan).
  const locals: string[] = [];
  const planned = (slot: number): boolean => l.planned[slot] === 1;
  /**
   * What must hold of a planned slot's inputs this tick for its plan to apply, as expressions: only
   * what can change. A parameter's or constant's shape and dtype never do (assign checks both); a
   * planned slot's output has its plan's shape whenever that plan ran (u), and is checked otherwise; an input with a fully
   * declared shape was checked by place(), so at most its dtype is left; anything else is checked.
   */
  const planChecks = (slot: number): string[] =>
    l.argSlots[slot]!.flatMap((a, j): string[] => {
      const kind = l.kinds[a];
      if (kind === SlotKind.Param || kind === SlotKind.Constant) return [];
      // (A planned input slot whose own plan declined or did not fit this tick is checked too.)
      if (kind === SlotKind.Op && planned(a)) return [`(u${a} || pl.fitsAt(${j}, V[${a}]))`];
      if (l.declared[a] === 2) return [];
      if (l.declared[a] === 1) return [`V[${a}].dtype === pl.dtypes[${j}]`];
      return [`pl.fitsAt(${j}, V[${a}])`];
    });
  bind('PL', 'env.plans');
  bind('PT', 'env.planTried');

  // Forward: parameters and constants are loaded right before their first use.
  const loaded = new Set<number>();
  const load = (slot: number): void => {
    if (loaded.has(slot)) return;
    loaded.add(slot);
    const kind = l.kinds[slot];
    if (kind === SlotKind.Param) {
      bind(`pn${slot}`, `nodes[${slot}]`);
      const leaves = l.isOutput[slot] === 1;
      if (!l.faces) {
        emit(`{ const n = pn${slot}; V[${slot}] = ${leaves ? 'n.value' : 'n.peek()'}; n.pins++; }`);
        return;
      }
      emit(`{ const n = pn${slot}; const v = ${leaves ? 'n.value' : `n.face !== null ? n.value : n.peek()`}; V[${slot}] = v; n.pins++;`);
      emit(`  if (n.face !== null) { n.face.next({ tick: t, value: v }); if (X.closed) return; } }`);
    } else if (kind === SlotKind.Constant) {
      bind(`cv${slot}`, `nodes[${slot}].value`);
      emit(`V[${slot}] = cv${slot};`);
    }
  };
  // Outputs that are parameters or constants were loaded when the tick started (recordFor).
  for (let s = 0; s < l.isOutput.length; s++) {
    if (l.isOutput[s] === 1 && (l.kinds[s] === SlotKind.Param || l.kinds[s] === SlotKind.Constant)) loaded.add(s);
  }
  for (const s of l.opSlots) {
    const args = l.argSlots[s]!;
    for (const a of args) load(a);
    bind(`op${s}`, `program.ops[${s}]`);
    bind(`at${s}`, `program.attrs[${s}]`);
    bind(`ar${s}`, `env.scratchArgs[${s}]`);
    if (l.faces) bind(`nd${s}`, `nodes[${s}]`);
    args.forEach((a, j) => emit(`ar${s}[${j}] = V[${a}];`));
    // `where` names the op being called, so a throw is reported as that op's failure.
    emit(`where.slot = ${s}; where.backward = false;`);
    let generic: string;
    if (l.forwardArena[s] === 1) {
      bind(`fa${s}`, `env.forwardArenas[${s}]`);
      generic = `AC.active = fa${s}; fa${s}.next = 0; try { o = op${s}.forward(ar${s}, at${s}); } finally { AC.active = null; }`;
    } else {
      generic = `o = op${s}.forward(ar${s}, at${s});`;
    }
    if (planned(s)) {
      // The plan while the inputs keep the shapes it was made for; the op itself otherwise (and on
      // the first tick, after which the plan is made from inputs the op has just accepted).
      locals.push(`u${s} = false`);
      emit(`pl = PL[${s}]; if (pl !== null${planChecks(s).map((c) => ` && ${c}`).join('')}) { o = pl.plan.forward(ar${s}); u${s} = true; }`);
      emit(`else { ${generic} if (PT[${s}] === 0) X.makePlan(${s}, ar${s}); }`);
    } else {
      emit(generic);
    }
    emit('where.slot = -1;');
    if (l.checkResults[s] === 1) emit(`if (!isTensor(o)) throw new TypeError('forward returned ' + typeof o + ', not a Tensor');`);
    emit(`V[${s}] = o; rec.opsLeft--;`);
    if (l.faces) emit(`if (nd${s}.face !== null) { nd${s}.face.next({ tick: t, value: X.out(o) }); if (X.closed) return; }`);
    if (l.isOutput[s] === 1) emit(`if (--rec.outputsLeft === 0 && onOutputs !== null) { onOutputs(rec); if (X.closed) return; }`);
    if (l.isLoss[s]! > 0) emit(`rec.lossesLeft--;`);
  }
  for (const s of l.outputSlots) load(s);

  if (l.lossSeeds.length > 0) {
    emit('const C = rec.contrib, G = rec.grads;');
    for (const s of l.backwardSlots) {
      const edges = l.gradEdges[s]!;
      const loss = l.isLoss[s]!;
      if (loss > 0 && planned(s) && l.lossSeeds[loss - 1] === 0) {
        // A loss that ran its plan is the plan's own tensor: if the cached seed was last checked
        // against that tensor's shape array, it still fits (same shape, same dtype).
        emit(`g = u${s} && SS[${loss - 1}] === V[${s}].shape ? SD[${loss - 1}] : X.seedFor(${loss - 1}, V[${s}]);`);
        bind('SD', 'env.seeds');
        bind('SS', 'env.seedShapes');
      } else {
        emit(loss > 0 ? `g = X.seedFor(${loss - 1}, V[${s}]);` : 'g = null;');
      }
      if (edges.length > 0) {
        const arena = l.sumArena[s] === 1;
        if (arena) {
          bind(`sa${s}`, `env.sumArenas[${s}]`);
          emit(`AC.active = sa${s}; sa${s}.next = 0;`);
        }
        for (const e of edges) emit(`c = C[${e}]; if (c) g = g === null ? c : add(g, c);`);
        if (arena) emit('AC.active = null;');
      }
      emit(`G[${s}] = g;`);
      if (l.faces) bind(`nd${s}`, `nodes[${s}]`);
      emit(`if (g !== null) {`);
      if (l.faces) emit(`  if (nd${s}.gradFace !== null) { nd${s}.gradFace.next({ tick: t, value: X.out(g) }); if (X.closed) return; }`);
      if (l.kinds[s] === SlotKind.Op) {
        const args = l.argSlots[s]!;
        const edgeOf = l.edgeOfArg[s]!;
        bind(`bx${s}`, `env.saved[${s}]`);
        const into = l.results[s] === 1 ? `, rs${s}` : '';
        if (into !== '') bind(`rs${s}`, `env.results[${s}]`);
        bind(`ne${s}`, `program.backwardNeeds[${s}]`);
        // The saved state only the op's own backward reads (a plan keeps what it needs).
        const box = args.map((a, j) => `bx${s}.inputs[${j}] = V[${a}]; `).join('') + `bx${s}.output = V[${s}]; bx${s}.tick = t;`;
        emit(`  where.slot = ${s}; where.backward = true;`);
        let generic: string;
        if (l.backwardArena[s] === 1) {
          bind(`ba${s}`, `env.backwardArenas[${s}]`);
          generic = `${box} AC.active = ba${s}; ba${s}.next = 0; try { r = op${s}.backward(g, bx${s}, ne${s}${into}); } finally { AC.active = null; }`;
        } else {
          generic = `${box} r = op${s}.backward(g, bx${s}, ne${s}${into});`;
        }
        // The plan differentiates its own forward of this tick; if the op ran instead, so does its backward.
        emit(planned(s) ? `  if (u${s}) r = PL[${s}].plan.backward(g); else { ${generic} }` : `  ${generic}`);
        emit('  where.slot = -1;');
        for (let j = 0; j < args.length; j++) {
          const e = edgeOf[j]!;
          if (e < 0) continue;
          if (l.checkResults[s] === 1) emit(`  X.checkBackward(${s}, ${j}, r[${j}], t);`);
          emit(`  C[${e}] = r[${j}] ?? null;`);
        }
      }
      emit('}');
    }
    emit('rec.backwardDone = true;');
    if (l.edgeCount > 0) emit(`for (let e = 0; e < ${l.edgeCount}; e++) C[e] = undefined;`);
    emit('X.unpin(rec);');
    emit('if (onBackward !== null) { onBackward(rec); if (X.closed) return; }');
  }

  return `"use strict";
const { program, where, onOutputs, onBackward } = env;
const X = env.host;
const nodes = program.nodes;
${pre.join('\n')}
return function compiledTick(rec) {
  const V = rec.values, t = rec.tick;
  let o, g, c, r, pl${locals.length > 0 ? `, ${locals.join(', ')}` : ''};
${lines.map((line) => `  ${line}`).join('\n')}
};`;
}

type Factory = (env: TickEnv, cell: typeof arenaCell, tensorCheck: typeof isTensor, add: typeof kernels.add) => CompiledTick;

/**
 * Generated factories by layout (as JSON). A program with the same structure (a new run of the same
 * model, another epoch) reuses the factory, so its tick is a closure of an already-optimised function
 * instead of new code that V8 must warm up again.
 */
const factories = new Map<string, Factory>();
const MAX_FACTORIES = 64;
