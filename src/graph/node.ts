/**
 * Graph nodes. A node is a value of the network (an input, a parameter, a constant, or the output of
 * an op) and, at the same time, an RxJS Observable of the frames that pass through it while some run
 * drives the graph. Nodes are wired once; runs (see run.ts) compile them into a schedule.
 *
 * A node's observable faces (the node itself for forward values, `grad$` for its gradient) are hot
 * views, materialised only when subscribed: an unobserved node costs nothing per tick. A face
 * subscriber sees the frames of every run that computes the node; it completes when the runs it
 * watched have all completed, and errors with a run's error.
 */
import { Observable, type Subscriber, type UnaryFunction } from 'rxjs';
import {
  type AnyOp, type DType, type Shape, SYMBOLIC, type Symbolic, Tensor,
  asOpError, formatShape, isSymbolic, isTensor, scalar, shapesEqual, zeros,
} from '../index-core.js';
import { FaceHub } from './face-hub.js';
import type { Frame } from './frame.js';

/** A shape known at wiring time; `null` entries are dimensions known only at run time (a batch size). */
export type StaticShape = readonly (number | null)[];

export type NodeKind = 'input' | 'param' | 'constant' | 'op';

let nextId = 0;

/** The error subscribers see when the graph is wired wrongly or fails at a tick. */
export class GraphError extends Error {
  override readonly name = 'GraphError';
  constructor(message: string, readonly tick?: number, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export function formatStaticShape(shape: StaticShape | null): string {
  return shape === null ? '[?]' : `[${shape.map((d) => (d === null ? '?' : d)).join(',')}]`;
}

/**
 * A node of the graph. Create nodes with {@link input}, {@link param}, {@link constant} and by
 * applying ops (`x.pipe(matmul(W), add(b))`, `mse(out, y)`).
 */
export class Node extends Observable<Frame<Tensor>> implements Symbolic {
  readonly [SYMBOLIC] = true as const;
  /** Creation order. Inputs of a node are always created before it, so ids are a topological order. */
  readonly id: number;
  /** Shape known at wiring time, or null when unknown. */
  readonly shape: StaticShape | null;
  /** Dtype known at wiring time, or null. */
  readonly dtype: DType | null;
  /** Consumers in wiring order; gradients are summed in this order, so sums are reproducible to the bit. */
  readonly consumers: Node[] = [];
  /** @internal The forward face, materialised on first subscription. */
  face: FaceHub<Frame<Tensor>> | null = null;
  /** @internal The gradient face. */
  gradFace: FaceHub<Frame<Tensor>> | null = null;
  /** @internal Runs currently computing this node. */
  activeRuns = 0;
  private label: string | null = null;

  /**
   * The gradient of the trained loss(es) with respect to this node's value, one frame per tick, as
   * runs compute it. Hot: it emits only while a run trains through this node.
   */
  readonly grad$: Observable<Frame<Tensor>>;

  constructor(
    readonly kind: NodeKind,
    readonly op: AnyOp | null,
    readonly inputs: readonly Node[],
    readonly attrs: object,
    shape: StaticShape | null,
    dtype: DType | null,
  ) {
    super((subscriber) => attach(this, 'face', subscriber));
    this.id = nextId++;
    this.shape = shape === null ? null : Object.freeze(shape.slice());
    this.dtype = dtype;
    this.grad$ = new Observable<Frame<Tensor>>((subscriber) => attach(this, 'gradFace', subscriber));
    for (const i of inputs) i.consumers.push(this);
  }

  /** A readable name: the one given with {@link named}, else the op or kind with the id. */
  get name(): string {
    return this.label ?? `${this.op ? this.op.name : this.kind}#${this.id}`;
  }

  /** Names the node (for error messages and debugging); returns the node. */
  named(name: string): this {
    this.label = name;
    return this;
  }

  override pipe(): this;
  override pipe<A>(op1: UnaryFunction<this, A>): A;
  override pipe<A, B>(op1: UnaryFunction<this, A>, op2: UnaryFunction<A, B>): B;
  override pipe<A, B, C>(op1: UnaryFunction<this, A>, op2: UnaryFunction<A, B>, op3: UnaryFunction<B, C>): C;
  override pipe<A, B, C, D>(op1: UnaryFunction<this, A>, op2: UnaryFunction<A, B>, op3: UnaryFunction<B, C>, op4: UnaryFunction<C, D>): D;
  override pipe<A, B, C, D, E>(
    op1: UnaryFunction<this, A>, op2: UnaryFunction<A, B>, op3: UnaryFunction<B, C>, op4: UnaryFunction<C, D>, op5: UnaryFunction<D, E>,
  ): E;
  override pipe<A, B, C, D, E, F>(
    op1: UnaryFunction<this, A>, op2: UnaryFunction<A, B>, op3: UnaryFunction<B, C>, op4: UnaryFunction<C, D>, op5: UnaryFunction<D, E>,
    op6: UnaryFunction<E, F>,
  ): F;
  override pipe<A, B, C, D, E, F, G>(
    op1: UnaryFunction<this, A>, op2: UnaryFunction<A, B>, op3: UnaryFunction<B, C>, op4: UnaryFunction<C, D>, op5: UnaryFunction<D, E>,
    op6: UnaryFunction<E, F>, op7: UnaryFunction<F, G>,
  ): G;
  override pipe<A, B, C, D, E, F, G, H>(
    op1: UnaryFunction<this, A>, op2: UnaryFunction<A, B>, op3: UnaryFunction<B, C>, op4: UnaryFunction<C, D>, op5: UnaryFunction<D, E>,
    op6: UnaryFunction<E, F>, op7: UnaryFunction<F, G>, op8: UnaryFunction<G, H>,
  ): H;
  // biome-ignore lint: operators of any type chain through here
  override pipe(...operations: UnaryFunction<any, any>[]): unknown;
  // biome-ignore lint: as above
  override pipe(...operations: UnaryFunction<any, any>[]): unknown {
    let acc: unknown = this;
    for (const op of operations) acc = op(acc);
    return acc;
  }

  override toString(): string {
    return `Node(${this.name} ${formatStaticShape(this.shape)})`;
  }
}

/** Subscribes an observer to a node's face, creating the face on first use. */
function attach(node: Node, which: 'face' | 'gradFace', subscriber: Subscriber<Frame<Tensor>>): () => void {
  let hub = node[which];
  if (hub === null) {
    hub = new FaceHub<Frame<Tensor>>();
    node[which] = hub;
  }
  const remove = hub.add(subscriber);
  const owned = hub;
  return () => {
    remove();
    // Drop an unobserved face so the hot path stops paying for it.
    if (node[which] === owned && !owned.observed) node[which] = null;
  };
}

/** Completes (or errors) a node's faces at the end of a run, once no other run is using the node. */
export function releaseFaces(node: Node, error?: unknown): void {
  node.activeRuns--;
  if (error === undefined && node.activeRuns > 0) return;
  for (const which of ['face', 'gradFace'] as const) {
    const hub = node[which];
    if (hub === null) continue;
    node[which] = null;
    if (error === undefined) hub.complete();
    else hub.error(error);
  }
}

/**
 * A placeholder for data: a run feeds it one tensor per tick. Declaring a shape lets wiring-time
 * checks catch mismatches; `null` marks a dimension known only at run time (a batch size).
 *
 * @example
 * const x = input([null, 2]);   // any batch of 2-feature rows
 * const y = input([null, 1]);
 */
export function input(shape?: StaticShape, options: { name?: string; dtype?: DType } = {}): Node {
  if (shape !== undefined) {
    for (const d of shape) {
      if (d !== null && !(Number.isSafeInteger(d) && d >= 0)) throw new GraphError(`input(): invalid dimension ${String(d)} in ${formatStaticShape(shape)}`);
    }
  }
  const node = new Node('input', null, [], {}, shape ?? null, options.dtype ?? null);
  return options.name === undefined ? node : node.named(options.name);
}

/**
 * A trainable tensor. Its forward value is its current tensor; its gradient feeds an optimizer.
 * A parameter used several times receives the sum of all its uses.
 *
 * @example
 * const W1 = param(randn([2, 8], { seed: 1 }), { name: 'W1' });
 * W1.value;               // the current tensor
 * W1.assign(zeros([2, 8]));
 */
export class Param extends Node {
  private current: Tensor;
  /**
   * Whether the current tensor may be referenced outside the engine and the optimizer: it came
   * from the user (`param(t)`, `assign(t)`) or was read through `value`. Until it is replaced, an
   * optimizer must not write into it.
   */
  private exposed = true;
  /** @internal Ticks in flight that still need the current tensor for their backward pass. */
  pins = 0;
  /** When false, the parameter is treated as a constant: no gradient flows into it. */
  trainable: boolean;

  constructor(value: Tensor, options: { name?: string; trainable?: boolean } = {}) {
    if (!isTensor(value)) throw new GraphError('param(): expects a Tensor');
    super('param', null, [], {}, value.shape, value.dtype);
    this.current = value;
    this.trainable = options.trainable ?? true;
    if (options.name !== undefined) this.named(options.name);
  }

  /**
   * The current value. Tensors are values: the one returned here never changes, even as training
   * goes on (the parameter moves to new storage the next time it is updated).
   */
  get value(): Tensor {
    this.exposed = true;
    return this.current;
  }

  /** Replaces the value; the new tensor must have the same shape and dtype. */
  assign(value: Tensor): void {
    this.check(value, 'assign');
    this.current = value;
    this.exposed = true;
  }

  /** @internal The current tensor for the engine's own use (reading it does not expose it). */
  peek(): Tensor {
    return this.current;
  }

  /**
   * @internal Whether an optimizer may write the next value into the current tensor's storage:
   * nobody else can see it (never handed out, no tick in flight holding it). PyTorch updates in
   * place always; here it happens only when no one can tell.
   */
  get writable(): boolean {
    return !this.exposed && this.pins === 0;
  }

  /** @internal Takes a tensor only the optimizer holds (so later updates may go in place). */
  adopt(value: Tensor): void {
    this.check(value, 'adopt');
    this.current = value;
    this.exposed = false;
  }

  private check(value: Tensor, method: string): void {
    if (!isTensor(value) || !shapesEqual(value.shape, this.current.shape) || value.dtype !== this.current.dtype) {
      const got = isTensor(value) ? `${formatShape(value.shape)} ${value.dtype}` : typeof value;
      throw new GraphError(`${this.name}.${method}(): expected ${formatShape(this.current.shape)} ${this.current.dtype}, got ${got}`);
    }
  }
}

/** Creates a {@link Param}. */
export function param(value: Tensor, options: { name?: string; trainable?: boolean } = {}): Param {
  return new Param(value, options);
}

/** A node holding a fixed tensor (no gradient flows into it). Numbers and tensors passed to ops become constants. */
export class Constant extends Node {
  constructor(readonly value: Tensor) {
    super('constant', null, [], {}, value.shape, value.dtype);
  }
}

export function constant(value: Tensor | number): Constant {
  return new Constant(typeof value === 'number' ? scalar(value) : value);
}

/** Turns an op argument into a node. */
export function toNode(value: Symbolic | Tensor | number, dtypeHint: DType | null): Node {
  if (value instanceof Node) return value;
  if (isSymbolic(value)) throw new GraphError('a symbolic value that is not an rxgrad Node was passed to an op');
  if (typeof value === 'number') return new Constant(scalar(value, { dtype: dtypeHint ?? 'float64' }));
  return new Constant(value as Tensor);
}

/**
 * Applies an op to nodes: the lifter the ops layer calls when it receives graph nodes. Shapes are
 * checked here, at wiring time, wherever they are known.
 */
export function applyOp(op: AnyOp, args: readonly (Symbolic | Tensor | number)[], attrs: object | undefined): Node {
  const dtypeHint = args.find((a): a is Node => a instanceof Node && a.dtype !== null)?.dtype ?? null;
  const inputs = args.map((a) => toNode(a, dtypeHint));
  const a = attrs ?? {};
  const inferred = inferOutput(op, inputs, a);
  return new Node('op', op, inputs, a, inferred?.shape ?? null, inferred?.dtype ?? null);
}

/** Probe sizes for dynamic dimensions: two different sizes, neither 1 (which would broadcast). */
const PROBES = [2, 3] as const;

/**
 * Infers an op's output shape by running its forward on placeholder tensors of the input shapes.
 * Fully known shapes that fail are a wiring error; with dynamic dimensions the op is probed at two
 * sizes, and only dimensions that do not follow the probe stay static.
 */
function inferOutput(op: AnyOp, inputs: readonly Node[], attrs: object): { shape: StaticShape; dtype: DType } | null {
  if (inputs.some((n) => n.shape === null)) return null;
  const dynamic = inputs.some((n) => n.shape!.some((d) => d === null));
  const probe = (size: number): Tensor => {
    const values = inputs.map((n) => {
      if (n instanceof Param) return n.peek();
      if (n instanceof Constant) return n.value;
      return zeros(n.shape!.map((d) => d ?? size), { dtype: n.dtype ?? 'float64' });
    });
    return op.forward(values, attrs);
  };
  if (!dynamic) {
    try {
      const out = probe(0);
      return { shape: out.shape, dtype: out.dtype };
    } catch (error) {
      throw asOpError(op.name, inputs.map((n) => n.shape as Shape), error);
    }
  }
  try {
    const a = probe(PROBES[0]), b = probe(PROBES[1]);
    if (a.rank !== b.rank) return null;
    return { shape: a.shape.map((d, i) => (d === b.shape[i] ? d : null)), dtype: a.dtype };
  } catch {
    return null; // decided at the first tick, when the real sizes are known
  }
}

/** Formats a node's input shapes for messages. */
export function describeInputs(node: Node): string {
  return node.inputs.map((n) => formatStaticShape(n.shape)).join(', ');
}
