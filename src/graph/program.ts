/**
 * Compiles the part of a graph a run needs into a fixed schedule: slots instead of maps, the op order,
 * which nodes need a gradient, and the edges along which gradients flow, in a fixed order.
 *
 * Which consumers count: a node receives a gradient contribution from a consumer only when that
 * consumer is on a path to a trained loss AND the consumer's op is differentiable in that input AND
 * the node itself depends on something that wants a gradient (a trainable parameter or a node asked
 * for in `wrt`). Everything else — a metric reading a prediction, a logging tap, an input, a
 * constant, a detached branch — sends nothing and is never waited for.
 */
import { type AnyOp, type Tensor, add, affine, dense, matmul, relu, sigmoid, tanh } from '../index-core.js';
import { Constant, GraphError, type Node, Param } from './node.js';

export const enum SlotKind {
  Input = 0,
  Param = 1,
  Constant = 2,
  Op = 3,
}

export interface LossSpec {
  node: Node;
  /** The loss's gradient is seeded with this weight (default 1). */
  weight: number;
  /** An explicit gradient seed of the loss's shape (overrides `weight`): backpropagates ⟨seed, loss⟩. */
  seed?: Tensor;
}

export interface ProgramSpec {
  /** Nodes whose values the run reports. */
  outputs: readonly Node[];
  /** Losses trained by this run (their gradients add, scaled by their weights). */
  losses: readonly LossSpec[];
  /** Nodes whose gradients the run reports beside trainable parameters (inputs allowed). */
  wrt?: readonly Node[];
}

/**
 * The edges of a slot that receives no gradient, shared: most slots have none, and typed arrays are
 * costly to create on this cold path (Program construction runs once per run, mostly unoptimised).
 */
const NO_EDGES = new Int32Array(0);

export class Program {
  /** Every node the run computes, in topological (creation) order. */
  readonly nodes: Node[];
  readonly slotOf = new Map<Node, number>();
  readonly kinds: Uint8Array;
  /** For op slots: the slots of the op's inputs. */
  readonly argSlots: (Int32Array | null)[];
  readonly ops: (AnyOp | null)[];
  readonly attrs: object[];
  /** Slots of nodes fused into a later slot (never computed alone): a matmul into its add, an affine into its activation. */
  readonly absorbed: Uint8Array;
  /**
   * For a slot running a fused op, the slots of the nodes the user wrote, in the order they would
   * have run (e.g. matmul, add, sigmoid), so a failure can be replayed and reported on the node
   * that failed; null for a slot that runs its own node's op.
   */
  readonly fusedChain: (Int32Array | null)[];
  /** Op slots in topological order. */
  readonly opSlots: Int32Array;
  /** Input slots, in the order the run feeds them. */
  readonly inputSlots: Int32Array;
  readonly outputSlots: Int32Array;
  readonly lossSlots: Int32Array;
  readonly lossWeights: Float64Array;
  /** Explicit seeds, where given. */
  readonly lossSeeds: (Tensor | null)[];
  /** Does this slot receive a gradient? */
  readonly needsGrad: Uint8Array;
  /** Slots that need a gradient, in reverse topological order: the backward schedule. */
  readonly backwardSlots: Int32Array;
  /** For each slot, the edge ids whose contributions make up its gradient, in fixed order. */
  readonly gradEdges: Int32Array[];
  /** For op slots: for each input position, the edge id its gradient goes to, or -1. */
  readonly edgeOfArg: (Int32Array | null)[];
  /** For op slots: the `needs` mask passed to the op's backward. */
  readonly backwardNeeds: (boolean[] | null)[];
  readonly edgeCount: number;
  /** Slots of the trainable parameters that receive a gradient, in slot order. */
  readonly paramSlots: Int32Array;
  /** Those parameters. */
  readonly params: Param[];

  constructor(spec: ProgramSpec) {
    const rootList = [...spec.outputs, ...spec.losses.map((l) => l.node), ...(spec.wrt ?? [])];
    const inScope = new Set<Node>();
    const stack = [...rootList];
    while (stack.length > 0) {
      const n = stack.pop()!;
      if (inScope.has(n)) continue;
      inScope.add(n);
      for (const i of n.inputs) stack.push(i);
    }
    this.nodes = [...inScope].sort((a, b) => a.id - b.id);
    const count = this.nodes.length;
    this.nodes.forEach((n, i) => this.slotOf.set(n, i));
    const slot = (n: Node): number => this.slotOf.get(n)!;

    // The op and inputs each slot runs with: the node's own, except where fusion rewrites them.
    const ops: (AnyOp | null)[] = this.nodes.map((n) => n.op);
    const inputsOf: (readonly Node[])[] = this.nodes.map((n) => n.inputs);
    const attrsOf: object[] = this.nodes.map((n) => n.attrs);
    const absorbed = new Uint8Array(count);
    /** For a fused slot: the user's nodes it runs, in order. */
    const chains: (number[] | null)[] = new Array(count).fill(null);
    /** For a fused slot: for each of its inputs, the slot of the user's node that consumed it (edge order). */
    const origins: (number[] | null)[] = new Array(count).fill(null);
    const roots = new Set(rootList);
    /** May node `a` disappear into its only consumer here? Not when it is needed or watched itself. */
    const soleUser = (a: Node): Node | null => {
      if (roots.has(a) || a.face !== null || a.gradFace !== null) return null;
      const users = a.consumers.filter((c) => inScope.has(c));
      return users.length === 1 ? users[0]! : null;
    };
    // Fusion 1: matmul(x, W) whose only consumer here is an add becomes part of that add, run as
    // affine(x, W, b) — one op instead of two, bit-identical results.
    for (let i = 0; i < count; i++) {
      const a = this.nodes[i]!;
      if (a.op !== matmul) continue;
      const b = soleUser(a);
      if (b === null || b.op !== add || b.inputs[0] === b.inputs[1]) continue;
      const bias = b.inputs[0] === a ? b.inputs[1]! : b.inputs[0]!;
      const j = slot(b);
      ops[j] = affine;
      inputsOf[j] = [a.inputs[0]!, a.inputs[1]!, bias];
      attrsOf[j] = {};
      absorbed[i] = 1;
      chains[j] = [i, j];
      origins[j] = [i, i, j];
    }
    // Fusion 2: an affine (written as one, or fused above) whose only consumer here is a sigmoid,
    // tanh or relu becomes part of it, run as dense(x, W, b, { activation }) — bit-identical again.
    for (let i = 0; i < count; i++) {
      if (ops[i] !== affine) continue;
      const act = soleUser(this.nodes[i]!);
      const activation = act === null ? null : act.op === sigmoid ? 'sigmoid' : act.op === tanh ? 'tanh' : act.op === relu ? 'relu' : null;
      if (act === null || activation === null) continue;
      const k = slot(act);
      ops[k] = dense;
      inputsOf[k] = inputsOf[i]!;
      attrsOf[k] = { activation };
      absorbed[i] = 1;
      chains[k] = [...(chains[i] ?? [i]), k];
      origins[k] = origins[i] ?? [i, i, i];
    }

    this.kinds = new Uint8Array(count);
    this.argSlots = new Array(count).fill(null);
    this.ops = new Array(count).fill(null);
    this.attrs = new Array(count).fill(null);
    this.absorbed = absorbed;
    this.fusedChain = chains.map((c) => (c === null ? null : Int32Array.from(c)));
    const opSlots: number[] = [], inputSlots: number[] = [];
    this.nodes.forEach((n, i) => {
      this.kinds[i] = n.kind === 'input' ? SlotKind.Input : n instanceof Param ? SlotKind.Param : n instanceof Constant ? SlotKind.Constant : SlotKind.Op;
      if (n.kind === 'op' && !absorbed[i]) {
        opSlots.push(i);
        this.argSlots[i] = Int32Array.from(inputsOf[i]!, slot);
        this.ops[i] = ops[i]!;
        this.attrs[i] = attrsOf[i]!;
      } else if (n.kind === 'input') inputSlots.push(i);
    });
    this.opSlots = Int32Array.from(opSlots);
    this.inputSlots = Int32Array.from(inputSlots);
    this.outputSlots = Int32Array.from(spec.outputs, slot);
    this.lossSlots = Int32Array.from(spec.losses, (l) => slot(l.node));
    this.lossWeights = Float64Array.from(spec.losses, (l) => l.weight);
    this.lossSeeds = spec.losses.map((l) => l.seed ?? null);
    const lossSet = new Set(this.lossSlots);
    if (lossSet.size !== this.lossSlots.length) throw new GraphError('a loss is listed twice for training; give it one weight instead');
    // Consumers by slot, in creation order, as the slots actually run.
    // (Loops, not Array.from({ length }, …), which takes a slow generic path.)
    const consumersOf: number[][] = [];
    for (let i = 0; i < count; i++) consumersOf.push([]);
    for (const i of opSlots) {
      const args = this.argSlots[i]!;
      for (let j = 0; j < args.length; j++) {
        // Once per consumer, even when it reads the same slot twice (its pushes come together).
        const list = consumersOf[args[j]!]!;
        if (list.length === 0 || list[list.length - 1] !== i) list.push(i);
      }
    }

    // Forward: which slots depend on something that wants a gradient.
    const wrt = new Set(spec.wrt ?? []);
    const wantsGrad = new Uint8Array(count);
    for (let i = 0; i < count; i++) {
      const n = this.nodes[i]!;
      if (wrt.has(n) && n.kind !== 'constant') wantsGrad[i] = 1;
      else if (n instanceof Param) wantsGrad[i] = n.trainable ? 1 : 0;
      else if (n.kind === 'op' && !absorbed[i]) {
        const args = this.argSlots[i]!;
        for (let j = 0; j < args.length; j++) if (wantsGrad[args[j]!] && this.ops[i]!.isDifferentiable(j)) wantsGrad[i] = 1;
      }
    }
    // Backward: which of those lie on a path to a trained loss.
    this.needsGrad = new Uint8Array(count);
    for (let i = count - 1; i >= 0; i--) {
      if (!wantsGrad[i]) continue;
      if (lossSet.has(i)) {
        this.needsGrad[i] = 1;
        continue;
      }
      for (const c of consumersOf[i]!) {
        if (!this.needsGrad[c]) continue;
        const args = this.argSlots[c]!;
        if (args.some((a, j) => a === i && this.ops[c]!.isDifferentiable(j))) {
          this.needsGrad[i] = 1;
          break;
        }
      }
    }
    // Edges, numbered in (consumer id, input position) order so every sum has a fixed order.
    this.edgeOfArg = new Array(count).fill(null);
    this.backwardNeeds = new Array(count).fill(null);
    // Each edge remembers where its consumer sat in the unfused graph (the matmul's slot for the x
    // and W of a fused layer, the add's for its bias), so sums run in the same order whether or not
    // fusion happened.
    const edgesOf: { edge: number; key: number }[][] = [];
    for (let i = 0; i < count; i++) edgesOf.push([]);
    let edge = 0;
    for (const i of opSlots) {
      const args = this.argSlots[i]!;
      const edgeOf = new Int32Array(args.length).fill(-1);
      const needs = new Array<boolean>(args.length).fill(false);
      if (this.needsGrad[i]) {
        for (let j = 0; j < args.length; j++) {
          const a = args[j]!;
          if (this.needsGrad[a] && this.ops[i]!.isDifferentiable(j)) {
            edgeOf[j] = edge;
            needs[j] = true;
            const key = origins[i]?.[j] ?? i;
            edgesOf[a]!.push({ edge: edge++, key: key * 65536 + j });
          }
        }
      }
      this.edgeOfArg[i] = edgeOf;
      this.backwardNeeds[i] = needs;
    }
    this.edgeCount = edge;
    this.gradEdges = edgesOf.map((e) => (e.length === 0 ? NO_EDGES : Int32Array.from(e.sort((p, q) => p.key - q.key), (x) => x.edge)));
    const backward: number[] = [];
    for (let i = count - 1; i >= 0; i--) if (this.needsGrad[i]) backward.push(i);
    this.backwardSlots = Int32Array.from(backward);

    const paramSlots: number[] = [];
    this.params = [];
    for (let i = 0; i < count; i++) {
      const n = this.nodes[i]!;
      if (n instanceof Param && n.trainable && this.needsGrad[i]) {
        paramSlots.push(i);
        this.params.push(n);
      }
    }
    this.paramSlots = Int32Array.from(paramSlots);
  }
}
