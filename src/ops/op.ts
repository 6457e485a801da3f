/**
 * `defineOp`: the one way an op comes into being, built-in or custom. An op is declared once, with
 * its forward and its backward (the vector–Jacobian product) side by side, and the record it
 * returns serves three uses: called on tensors it computes eagerly; called on graph nodes (or with
 * one input fewer, as a pipeable operator) it is lifted into the graph; listed in the registry it is
 * checked against finite differences by the property test.
 */
import { Tensor, isTensor, scalar } from '../tensor/index.js';
import { OpError, asOpError } from './op-error.js';
import { type SymbolicInput, type SymbolicNode, isSymbolic, lift } from './symbolic.js';

/** The inputs of an op of arity N, as a tuple where N is fixed. */
export type Inputs<N = number | 'variadic'> = N extends 1
  ? readonly [Tensor]
  : N extends 2
    ? readonly [Tensor, Tensor]
    : N extends 3
      ? readonly [Tensor, Tensor, Tensor]
      : readonly Tensor[];

/** What an op's backward receives about the forward call it differentiates. */
export interface Saved<A, N = number | 'variadic'> {
  /** The forward inputs (never mutated, so holding references is safe). */
  readonly inputs: Inputs<N>;
  /** The forward output. */
  readonly output: Tensor;
  /** The attributes the op was called with. */
  readonly attrs: A;
  /** The tick being differentiated, when the op runs inside a graph (undefined when called eagerly). */
  readonly tick?: number;
}

/**
 * Gradients with respect to each input: a tensor of that input's shape and dtype, or null where
 * `needs[i]` is false (the caller does not want it) or the input is not differentiable.
 */
export type Grads = readonly (Tensor | null)[];

export interface OpSpec<A extends object, N = number | 'variadic'> {
  /** camelCase name, unique in the registry; also the name in every error. */
  name: string;
  /** Number of tensor inputs, or 'variadic' (one or more, passed as an array). */
  arity: number | 'variadic';
  /**
   * Which inputs carry a gradient (default: all). Labels of a classification loss, for instance,
   * do not.
   */
  differentiable?: readonly boolean[];
  /**
   * Promises that forward and backward keep no reference to their inputs, their outputs or any
   * storage they allocate once they return (they are pure functions of their arguments). The graph
   * engine may then reuse that storage from one sample to the next in `learn` and `through`, which
   * removes nearly all allocation from a training step. Every built-in op is recyclable; leave it
   * unset for an op that caches or logs tensors.
   */
  recyclable?: boolean;
  /** Computes the output. Must not write into `inputs`. `attrs` is `{}` when the caller gave none. */
  forward(inputs: Inputs<N>, attrs: A): Tensor;
  /**
   * The vector–Jacobian product: given the gradient `g` of a scalar loss with respect to the output,
   * the gradient with respect to each input. Must not write into `g` or the saved tensors.
   *
   * `into`, when given, is an array with one entry per input that the caller reuses from call to
   * call: the op may write its gradients into it and return it, instead of a new array (the
   * engine passes one per op, so a training step allocates no result arrays). Ignoring it is fine.
   */
  backward(g: Tensor, saved: Saved<A, N>, needs: readonly boolean[], into?: (Tensor | null)[]): Grads;
  /**
   * Optional, for speed: this op fixed to the shapes and dtypes of `inputs` (and to `attrs` and
   * `needs`), with its output and gradient storage made once and reused from call to call. The graph
   * engine asks for a plan when it runs a program tick after tick (`learn`, `through`) and uses it
   * while the inputs keep those shapes and dtypes; other ticks run forward and backward as usual.
   * A plan must give exactly what forward and backward give, to the bit — share their numeric code
   * rather than copy it; the plan property test checks every registered op that has one. Return
   * null when no plan fits these inputs. Ignoring this hook is fine.
   */
  plan?(inputs: Inputs<N>, attrs: A, needs: readonly boolean[]): OpPlan | null;
}

/**
 * An op fixed to one set of input shapes (see {@link OpSpec.plan}). The caller guarantees the
 * shapes and dtypes; the plan checks nothing.
 */
export interface OpPlan {
  /** The output for these inputs, in the plan's own storage: valid until the next call. */
  forward(inputs: readonly Tensor[]): Tensor;
  /**
   * The gradients (null where `needs` was false) for the last forward call, given `g` of its
   * output's shape: in the plan's own storage and array, valid until the next call.
   */
  backward(g: Tensor): Grads;
  /**
   * Optional: whether `grad` is a gradient the last backward call returned and every element of it
   * is known to be finite, from a bound the plan computed on the way (cheaper than reading the
   * gradient: for ∂W = xᵀ·∂z, the k + n values of x and ∂z instead of the k·n of ∂W). `learn` then
   * skips its own finiteness check of that gradient. False means "not known", never "not finite";
   * spec/ops/vouch.spec.ts checks every registered op whose plan vouches, on values made to overflow.
   */
  vouchesFinite?(grad: Tensor): boolean;
}

/** The record behind every op: its spec plus a validated eager entry point. */
export interface OpRecord<A extends object> {
  readonly name: string;
  readonly arity: number | 'variadic';
  /** Whether input `i` carries a gradient. */
  isDifferentiable(i: number): boolean;
  forward(inputs: readonly Tensor[], attrs: A): Tensor;
  backward(g: Tensor, saved: Saved<A>, needs: readonly boolean[], into?: (Tensor | null)[]): Grads;
  /** Eager call on tensors with errors wrapped as {@link OpError}. */
  apply(inputs: readonly Tensor[], attrs?: A): Tensor;
  /** See {@link OpSpec.recyclable}. */
  readonly recyclable: boolean;
  /** See {@link OpSpec.plan}; null when the op has none. */
  readonly plan: ((inputs: readonly Tensor[], attrs: A, needs: readonly boolean[]) => OpPlan | null) | null;
  /** Marks op records (custom ones included) for the graph layer and the checker. */
  readonly isOp: true;
}

/** Any op, whatever its attributes. */
// biome-ignore lint: the attribute type is erased here on purpose
export type AnyOp = OpRecord<any>;

/** A one-input op: `sigmoid(t)`, `sigmoid(node)`, `node.pipe(sigmoid())`. */
export type UnaryOp<A extends object> = OpRecord<A> & {
  (x: Tensor | number, attrs?: A): Tensor;
  (x: SymbolicInput, attrs?: A): SymbolicNode;
  (attrs?: A): (source: SymbolicNode) => SymbolicNode;
};

/** A two-input op: `add(a, b)` on tensors or nodes, `node.pipe(add(b))`. */
export type BinaryOp<A extends object> = OpRecord<A> & {
  (a: Tensor | number, b: Tensor | number, attrs?: A): Tensor;
  (a: SymbolicInput, b: SymbolicInput, attrs?: A): SymbolicNode;
  (b: SymbolicInput, attrs?: A): (source: SymbolicNode) => SymbolicNode;
};

/** A three-input op (custom ops such as a fused linear layer). */
export type TernaryOp<A extends object> = OpRecord<A> & {
  (a: Tensor | number, b: Tensor | number, c: Tensor | number, attrs?: A): Tensor;
  (a: SymbolicInput, b: SymbolicInput, c: SymbolicInput, attrs?: A): SymbolicNode;
  (b: SymbolicInput, c: SymbolicInput, attrs?: A): (source: SymbolicNode) => SymbolicNode;
};

/** An op over any number of inputs given as an array: `concat([a, b])`, `x.pipe(concat(b, c))`. */
export type VariadicOp<A extends object> = OpRecord<A> & {
  (inputs: readonly (Tensor | number)[], attrs?: A): Tensor;
  (inputs: readonly SymbolicInput[], attrs?: A): SymbolicNode;
  (...rest: (SymbolicInput | A)[]): (source: SymbolicNode) => SymbolicNode;
};

type OpFor<A extends object, N> = N extends 1 ? UnaryOp<A> : N extends 2 ? BinaryOp<A> : N extends 3 ? TernaryOp<A> : N extends 'variadic' ? VariadicOp<A> : OpRecord<A>;

/** Is this a trailing attributes object (as opposed to an input)? */
function isAttrs(value: unknown): value is object {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !isTensor(value) && !isSymbolic(value);
}

/** Turns numbers into scalar tensors of the dtype of the first tensor among the inputs. */
export function coerceInputs(inputs: readonly (Tensor | number)[]): Tensor[] {
  const like = inputs.find(isTensor);
  return inputs.map((v) => (typeof v === 'number' ? scalar(v, { dtype: like?.dtype ?? 'float64' }) : v));
}

function describe(value: unknown): string {
  if (isTensor(value)) return `Tensor[${value.shape.join(',')}]`;
  if (isSymbolic(value)) return 'node';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/**
 * Declares an op. The returned value is both the op record and its public function.
 *
 * @example
 * // A custom op: the cube, with its derivative 3x² right beside it.
 * const cube = defineOp({
 *   name: 'cube',
 *   arity: 1,
 *   forward: ([x]) => kernels.unary(x!, (v) => v * v * v),
 *   backward: (g, { inputs: [x] }) => [kernels.binary('cube', g, x!, (gv, xv) => 3 * xv * xv * gv)],
 * });
 * cube(tensor([1, 2]));          // eager: [1, 8]
 * x.pipe(cube());                // a graph node
 */
export function defineOp<A extends object = Record<string, never>, const N extends number | 'variadic' = number | 'variadic'>(
  spec: OpSpec<A, N> & { arity: N },
): OpFor<A, N> {
  const name = spec.name;
  const arity: number | 'variadic' = spec.arity;
  if (!/^[A-Za-z_$][\w$]*$/.test(name)) throw new TypeError(`defineOp: invalid op name ${JSON.stringify(name)}`);
  if (arity !== 'variadic' && !(Number.isInteger(arity) && arity >= 1)) {
    throw new TypeError(`defineOp(${name}): arity must be a positive integer or 'variadic', got ${String(arity)}`);
  }
  const differentiable = spec.differentiable;
  // The record is untyped in its arity from here on: the graph and checker pass arrays.
  const forward = spec.forward as (inputs: readonly Tensor[], attrs: A) => Tensor;
  const backward = spec.backward as (g: Tensor, saved: Saved<A>, needs: readonly boolean[], into?: (Tensor | null)[]) => Grads;

  const apply = (inputs: readonly Tensor[], attrs?: A): Tensor => {
    for (let i = 0; i < inputs.length; i++) {
      if (!isTensor(inputs[i])) {
        throw new OpError(name, [], `input ${i} must be a Tensor, got ${describe(inputs[i])}`);
      }
    }
    if (arity !== 'variadic' && inputs.length !== arity) {
      throw new OpError(name, inputs.map((t) => t.shape), `expects ${arity} inputs, got ${inputs.length}`);
    }
    if (arity === 'variadic' && inputs.length === 0) throw new OpError(name, [], 'expects at least one input');
    try {
      return forward(inputs, (attrs ?? {}) as A);
    } catch (error) {
      throw asOpError(name, inputs.map((t) => t.shape), error);
    }
  };

  const call = (...args: unknown[]): unknown => {
    let attrs: A | undefined;
    if (args.length > 0 && (isAttrs(args[args.length - 1]) || args[args.length - 1] === undefined)) {
      attrs = args.pop() as A | undefined;
    }
    let inputs: unknown[];
    let pipeable: boolean;
    if (arity === 'variadic') {
      pipeable = !Array.isArray(args[0]);
      inputs = pipeable ? args : (args[0] as unknown[]);
      if (!pipeable && args.length > 1) throw new TypeError(`${name}: pass the inputs as one array, then optional attributes`);
    } else if (args.length === arity) {
      pipeable = false;
      inputs = args;
    } else if (args.length === arity - 1) {
      pipeable = true;
      inputs = args;
    } else {
      throw new TypeError(`${name}: expects ${arity} inputs (or ${arity - 1} as a pipeable operator), got ${args.length}`);
    }
    for (const v of inputs) {
      if (!isTensor(v) && !isSymbolic(v) && typeof v !== 'number') {
        throw new TypeError(`${name}: inputs must be tensors, numbers or graph nodes, got ${describe(v)}`);
      }
    }
    const typed = inputs as SymbolicInput[];
    if (pipeable) {
      return (source: SymbolicInput) => {
        if (!isSymbolic(source)) {
          throw new TypeError(`${name}(): a pipeable operator applies to graph nodes, got ${describe(source)}`);
        }
        return lift(record, [source, ...typed], attrs);
      };
    }
    if (typed.some(isSymbolic)) return lift(record, typed, attrs);
    return apply(coerceInputs(typed as (Tensor | number)[]), attrs);
  };

  // The function gets its name from a computed key: redefining `name` afterwards would switch the
  // object to slow (dictionary) properties, and the engine reads op.forward on every tick.
  const fn = { [name]: (...args: unknown[]): unknown => call(...args) }[name]!;
  const record = Object.assign(fn, {
    arity,
    isOp: true as const,
    isDifferentiable: (i: number): boolean => differentiable?.[i] ?? true,
    recyclable: spec.recyclable ?? false,
    plan: (spec.plan as ((inputs: readonly Tensor[], attrs: A, needs: readonly boolean[]) => OpPlan | null) | undefined) ?? null,
    forward,
    backward,
    apply,
  });
  return record as unknown as OpFor<A, N>;
}

/** Is this value an op made by {@link defineOp}? */
export function isOp(value: unknown): value is AnyOp {
  return typeof value === 'function' && (value as { isOp?: unknown }).isOp === true;
}
