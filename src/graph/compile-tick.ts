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

/** Builds the tick function, or returns null when `new Function` is not allowed. */
export function compileTick(env: TickEnv): CompiledTick | null {
  const p = env.program;
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
  const planned = (slot: number): boolean => env.planTried[slot] === 0;
  /**
   * What must hold of a planned slot's inputs this tick for its plan to apply, as expressions: only
   * what can change. A parameter's or constant's shape and dtype never do (assign checks both); a
   * planned slot's output has its plan's shape whenever that plan ran (u), and is checked otherwise; an input with a fully
   * declared shape was checked by place(), so at most its dtype is left; anything else is checked.
   */
  const planChecks = (slot: number): string[] =>
    Array.from(p.argSlots[slot]!).flatMap((a, j): string[] => {
      const kind = p.kinds[a];
      if (kind === SlotKind.Param || kind === SlotKind.Constant) return [];
      // (A planned input slot whose own plan declined or did not fit this tick is checked too.)
      if (kind === SlotKind.Op && planned(a)) return [`(u${a} || pl.fitsAt(${j}, V[${a}]))`];
      const node = p.nodes[a]!;
      if (kind === SlotKind.Input && node.shape !== null && node.shape.every((d) => d !== null)) {
        return node.dtype !== null ? [] : [`V[${a}].dtype === pl.dtypes[${j}]`];
      }
      return [`pl.fitsAt(${j}, V[${a}])`];
    });
  bind('PL', 'env.plans');
  bind('PT', 'env.planTried');

  // Forward: parameters and constants are loaded right before their first use.
  const loaded = new Set<number>();
  const load = (slot: number): void => {
    if (loaded.has(slot)) return;
    loaded.add(slot);
    const kind = p.kinds[slot];
    if (kind === SlotKind.Param) {
      bind(`pn${slot}`, `nodes[${slot}]`);
      const leaves = env.isOutput[slot] === 1;
      if (!env.faces) {
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
  for (let s = 0; s < env.isOutput.length; s++) {
    if (env.isOutput[s] === 1 && (p.kinds[s] === SlotKind.Param || p.kinds[s] === SlotKind.Constant)) loaded.add(s);
  }
  for (const s of p.opSlots) {
    const args = p.argSlots[s]!;
    for (const a of args) load(a);
    bind(`op${s}`, `program.ops[${s}]`);
    bind(`at${s}`, `program.attrs[${s}]`);
    bind(`ar${s}`, `env.scratchArgs[${s}]`);
    if (env.faces) bind(`nd${s}`, `nodes[${s}]`);
    args.forEach((a, j) => emit(`ar${s}[${j}] = V[${a}];`));
    // `where` names the op being called, so a throw is reported as that op's failure.
    emit(`where.slot = ${s}; where.backward = false;`);
    let generic: string;
    if (env.forwardArenas[s] !== null) {
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
    if (env.checkResults[s] === 1) emit(`if (!isTensor(o)) throw new TypeError('forward returned ' + typeof o + ', not a Tensor');`);
    emit(`V[${s}] = o; rec.opsLeft--;`);
    if (env.faces) emit(`if (nd${s}.face !== null) { nd${s}.face.next({ tick: t, value: X.out(o) }); if (X.closed) return; }`);
    if (env.isOutput[s] === 1) emit(`if (--rec.outputsLeft === 0 && onOutputs !== null) { onOutputs(rec); if (X.closed) return; }`);
    if (env.isLoss[s]! > 0) emit(`rec.lossesLeft--;`);
  }
  for (const s of p.outputSlots) load(s);

  if (p.lossSlots.length > 0) {
    emit('const C = rec.contrib, G = rec.grads;');
    for (const s of p.backwardSlots) {
      const edges = p.gradEdges[s]!;
      const loss = env.isLoss[s]!;
      if (loss > 0 && planned(s) && !p.lossSeeds[loss - 1]) {
        // A loss that ran its plan is the plan's own tensor: if the cached seed was last checked
        // against that tensor's shape array, it still fits (same shape, same dtype).
        emit(`g = u${s} && SS[${loss - 1}] === V[${s}].shape ? SD[${loss - 1}] : X.seedFor(${loss - 1}, V[${s}]);`);
        bind('SD', 'env.seeds');
        bind('SS', 'env.seedShapes');
      } else {
        emit(loss > 0 ? `g = X.seedFor(${loss - 1}, V[${s}]);` : 'g = null;');
      }
      if (edges.length > 0) {
        const arena = env.sumArenas[s] !== null;
        if (arena) {
          bind(`sa${s}`, `env.sumArenas[${s}]`);
          emit(`AC.active = sa${s}; sa${s}.next = 0;`);
        }
        for (const e of edges) emit(`c = C[${e}]; if (c) g = g === null ? c : add(g, c);`);
        if (arena) emit('AC.active = null;');
      }
      emit(`G[${s}] = g;`);
      if (env.faces) bind(`nd${s}`, `nodes[${s}]`);
      emit(`if (g !== null) {`);
      if (env.faces) emit(`  if (nd${s}.gradFace !== null) { nd${s}.gradFace.next({ tick: t, value: X.out(g) }); if (X.closed) return; }`);
      if (p.kinds[s] === SlotKind.Op) {
        const args = p.argSlots[s]!;
        const edgeOf = p.edgeOfArg[s]!;
        bind(`bx${s}`, `env.saved[${s}]`);
        const into = env.results[s] !== null ? `, rs${s}` : '';
        if (into !== '') bind(`rs${s}`, `env.results[${s}]`);
        bind(`ne${s}`, `program.backwardNeeds[${s}]`);
        // The saved state only the op's own backward reads (a plan keeps what it needs).
        const box = Array.from(args, (a, j) => `bx${s}.inputs[${j}] = V[${a}]; `).join('') + `bx${s}.output = V[${s}]; bx${s}.tick = t;`;
        emit(`  where.slot = ${s}; where.backward = true;`);
        let generic: string;
        if (env.backwardArenas[s] !== null) {
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
          if (env.checkResults[s] === 1) emit(`  X.checkBackward(${s}, ${j}, r[${j}], t);`);
          emit(`  C[${e}] = r[${j}] ?? null;`);
        }
      }
      emit('}');
    }
    emit('rec.backwardDone = true;');
    if (p.edgeCount > 0) emit(`for (let e = 0; e < ${p.edgeCount}; e++) C[e] = undefined;`);
    emit('X.unpin(rec);');
    emit('if (onBackward !== null) { onBackward(rec); if (X.closed) return; }');
  }

  const source = `"use strict";
const { program, where, onOutputs, onBackward } = env;
const X = env.host;
const nodes = program.nodes;
${pre.join('\n')}
return function compiledTick(rec) {
  const V = rec.values, t = rec.tick;
  let o, g, c, r, pl${locals.length > 0 ? `, ${locals.join(', ')}` : ''};
${lines.map((l) => `  ${l}`).join('\n')}
};`;
  let factory = factories.get(source);
  if (factory === undefined) {
    try {
      // biome-ignore lint: generated code is the point here
      factory = new Function('env', 'AC', 'isTensor', 'add', source) as Factory;
    } catch {
      return null; // no code generation here (CSP): the interpreter runs
    }
    if (factories.size >= MAX_FACTORIES) factories.delete(factories.keys().next().value!);
    factories.set(source, factory);
  }
  return factory(env, arenaCell, isTensor, kernels.add);
}

type Factory = (env: TickEnv, cell: typeof arenaCell, tensorCheck: typeof isTensor, add: typeof kernels.add) => CompiledTick;

/**
 * Generated factories by source. A program with the same structure (a new run of the same model,
 * another epoch) reuses the factory, so its tick is a closure of an already-optimised function
 * instead of new code that V8 must warm up again.
 */
const factories = new Map<string, Factory>();
const MAX_FACTORIES = 64;
