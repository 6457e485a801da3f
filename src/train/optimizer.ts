/**
 * The optimizer contract. An optimizer owns per-parameter state (momentum buffers, moment estimates,
 * step counts) and applies PyTorch's update rule to each parameter that received a gradient; a
 * parameter with no gradient in a step is skipped, as PyTorch skips parameters whose `.grad` is None.
 *
 * Parameter groups: parameters listed in a group use that group's options; all others use the
 * defaults (the last group, `params: null`). Schedulers change each group's `lr`.
 *
 * Checkpoints: {@link Optimizer.stateDict} gives plain JSON-safe data that restores the optimizer
 * exactly (every double, NaN and ±∞ included); {@link Optimizer.loadStateDict} checks all of it
 * against the parameters before it allocates or changes anything.
 */
import { Tensor, type TypedArray, allocateFresh, formatShape, shapesEqual } from '../index-core.js';
import { GraphError, Param } from '../graph/index.js';
import {
  type EncodedNumber, type EncodedTensor, checkEncodedTensor, decodeNumber, decodeTensor, describe, encodeNumber, encodeTensor, isRecord,
} from './serialize.js';

/** Options every optimizer has. */
export interface BaseOptions {
  /** Learning rate. */
  lr: number;
}

/** A group of parameters with options of their own (e.g. a different learning rate for biases). */
export type GroupSpec<O> = Partial<O> & { params: readonly Param[] };

/** One group at run time: its options (lr included, which schedulers change) and its initial lr. */
export interface ParamGroup<O extends BaseOptions> {
  /** The group's parameters; null for the default group (every parameter not listed elsewhere). */
  readonly params: readonly Param[] | null;
  options: O;
  /** The learning rate the group started with (schedulers compute from it; restored by loadStateDict). */
  readonly initialLr: number;
}

/** An option value as a checkpoint stores it. */
export type EncodedOption = EncodedNumber | boolean | EncodedNumber[];

/**
 * Serialisable optimizer state: plain numbers, strings and arrays, exact in float64 through JSON
 * (non-finite numbers and −0 are spelled as strings, see serialize.ts).
 */
export interface OptimizerState {
  type: string;
  /** Each group's current options (lr may have been changed by a scheduler) and its `initialLr`. */
  groups: Record<string, EncodedOption>[];
  /** Per parameter (in the order of the `params` passed to `stateDict`): counters and buffers; null = no state yet. */
  params: (Record<string, number | EncodedTensor> | null)[];
}

export type { EncodedNumber, EncodedTensor } from './serialize.js';

/** Per-parameter state as the optimizer keeps it: buffers (tensors of the parameter's shape) and counters. */
export type ParamState = Record<string, Tensor | number>;

/** The names of the state an optimizer keeps per parameter under given options. */
export interface StateSpec {
  /** Buffers with the parameter's shape and dtype. */
  readonly tensors: readonly string[];
  /** Non-negative integer counters (step counts). */
  readonly counters: readonly string[];
}

/** How many unknown entry names an error message lists. */
const MAX_LISTED = 8;

export abstract class Optimizer<O extends BaseOptions = BaseOptions> {
  /** Name of the update rule ('sgd', 'adam', …); recorded in checkpoints. Subclasses define it as a getter. */
  abstract readonly type: string;
  readonly groups: ParamGroup<O>[];
  private readonly groupOf = new Map<Param, ParamGroup<O>>();
  protected readonly state = new Map<Param, ParamState>();
  /** The params array of the last step and its resolved states and groups. */
  private lastParams: readonly Param[] | null = null;
  private lastEntries: { state: ParamState; group: ParamGroup<O> }[] = [];

  constructor(defaults: O, groups: readonly GroupSpec<O>[] = []) {
    const who = this.who();
    this.validate(defaults, who);
    this.groups = [];
    if (!Array.isArray(groups)) throw new TypeError(`${who}: groups must be an array of { params, ...options }`);
    groups.forEach((g, gi) => {
      const { params, ...rest } = g;
      if (!Array.isArray(params) || params.some((p) => !(p instanceof Param))) {
        throw new TypeError(`${who}: groups[${gi}].params must be an array of parameters (param(...))`);
      }
      for (const key of Object.keys(rest)) {
        if (!Object.hasOwn(defaults, key)) throw new TypeError(`${who}: groups[${gi}] has an unknown option '${key}'`);
      }
      const options = { ...defaults, ...rest } as O;
      this.validate(options, `${who}: groups[${gi}]`);
      const group: ParamGroup<O> = { params: [...params], options, initialLr: options.lr };
      for (const p of params) {
        if (this.groupOf.has(p)) throw new GraphError(`${who}: parameter ${p.name} is in two groups`);
        this.groupOf.set(p, group);
      }
      this.groups.push(group);
    });
    this.groups.push({ params: null, options: { ...defaults }, initialLr: defaults.lr });
  }

  /** `sgd()` for messages; a subclass that defines `type` as a field has not set it yet during construction. */
  private who(): string {
    return `${this.type ?? 'optimizer'}()`;
  }

  /** The group a parameter belongs to. */
  groupFor(param: Param): ParamGroup<O> {
    return this.groupOf.get(param) ?? this.groups[this.groups.length - 1]!;
  }

  /** Learning rate of the default group (the one most code cares about). */
  get lr(): number {
    return this.groups[this.groups.length - 1]!.options.lr;
  }

  /**
   * Applies one update to every parameter with a gradient. `grads[i]` belongs to `params[i]`; null
   * means no gradient this step (the parameter and its state are left alone).
   */
  step(params: readonly Param[], grads: readonly (Tensor | null)[]): void {
    if (params.length !== grads.length) {
      throw new RangeError(`${this.type}.step(): ${params.length} parameters but ${grads.length} gradients; they must be aligned by index`);
    }
    // learn() passes the same params array every tick: resolve states and groups once for it.
    if (params !== this.lastParams) this.resolve(params);
    const entries = this.lastEntries;
    for (let i = 0; i < params.length; i++) {
      const g = grads[i];
      if (g === null || g === undefined) continue;
      const p = params[i]!;
      const value = p.peek();
      if (g.shape !== value.shape && !shapesEqual(g.shape, value.shape)) {
        throw new RangeError(`${this.type}.step(): gradient ${i} has shape ${formatShape(g.shape)}, parameter ${p.name} has ${formatShape(value.shape)}`);
      }
      const entry = entries[i]!;
      // In place when nobody else can see the parameter's tensor (see Param.writable); otherwise
      // into new storage that, from then on, only the optimizer holds.
      const inPlace = p.writable;
      const out = inPlace ? value.data : ownedStorage(value);
      this.update(value, g, entry.group.options, entry.state, out);
      if (!inPlace) p.adopt(new Tensor(out, value.shape));
    }
  }



  /**
   * The state and group of each parameter, for {@link step}. Out of line, and built by a plain loop
   * rather than `map`: with `map` inline, each new run's first step deoptimised `step` itself (a
   * "wrong map" on the entries array, seen with --trace-deopt; map's result can differ in elements
   * kind between its optimised and unoptimised forms).
   */
  private resolve(params: readonly Param[]): void {
    const entries: { state: ParamState; group: ParamGroup<O> }[] = [];
    for (let i = 0; i < params.length; i++) {
      const p = params[i];
      if (!(p instanceof Param)) throw new TypeError(`${this.type}.step(): params[${i}] is not a parameter`);
      let s = this.state.get(p);
      if (s === undefined) {
        s = {};
        this.state.set(p, s);
      }
      entries.push({ state: s, group: this.groupFor(p) });
    }
    this.lastEntries = entries;
    this.lastParams = params;
  }

  /**
   * One parameter's update, PyTorch's rule for this optimizer: writes the new value into `out`,
   * which may be `value.data` itself (an in-place update — so read element i before writing it,
   * as every elementwise rule does). Must not write into `grad`. State buffers come from
   * {@link buffer} and are updated in place.
   */
protected abstract update(value: Tensor, grad: Tensor, options: O, state: ParamState, out: TypedArray): void;

  /**
   * A state buffer (momentum, moment estimates…) of the parameter's shape, created at `init` on
   * first use and then updated in place from step to step: it is private to the optimizer
   * (`stateDict` copies it out). Returns the storage and whether it existed before this step.
   */
  protected buffer(state: ParamState, key: string, like: Tensor, init = 0): TypedArray {
    const existing = state[key] as Tensor | undefined;
    if (existing !== undefined) return existing.data;
    const data = ownedStorage(like);
    if (init !== 0) data.fill(init);
    state[key] = new Tensor(data, like.shape);
    return data;
  }

  /**
   * Throws a RangeError/TypeError naming the bad option. `who` opens the message (default
   * `<type>()`); it names the group when there is one. The base checks the learning rate only.
   */
  protected validate(options: O, who = `${this.type}()`): void {
    if (typeof options.lr !== 'number' || !(options.lr >= 0)) throw new RangeError(`${who}: Invalid learning rate: ${String(options.lr)} (lr must be ≥ 0)`);
  }

  /**
   * The state a parameter has once it has been updated under these options, which
   * {@link loadStateDict} requires exactly. Null (the base) accepts any entries: numbers as
   * counters, `{ shape, data }` as buffers of the parameter's shape.
   */
  protected stateSpec(_options: O): StateSpec | null {
    return null;
  }

  /** State for a checkpoint, for the given parameters in order. Plain data: `JSON.stringify` it. */
  stateDict(params: readonly Param[]): OptimizerState {
    return {
      type: this.type,
      groups: this.groups.map((g) => {
        const out: Record<string, EncodedOption> = {};
        for (const [k, v] of Object.entries(g.options)) out[k] = encodeOption(v);
        out.initialLr = encodeNumber(g.initialLr);
        return out;
      }),
      params: params.map((p) => {
        const s = this.state.get(p);
        if (s === undefined) return null;
        const out: Record<string, number | EncodedTensor> = {};
        for (const [k, v] of Object.entries(s)) out[k] = typeof v === 'number' ? v : encodeTensor(v);
        return out;
      }),
    };
  }

  /**
   * Restores a state from {@link stateDict} (possibly after JSON) for the same parameters in the same
   * order. Everything is checked first — type, group count and options, parameter count, each
   * buffer's shape and numbers — and nothing is allocated or changed unless all of it fits.
   */
  loadStateDict(params: readonly Param[], state: OptimizerState): void {
    const who = `${this.type}.loadStateDict()`;
    const raw: unknown = state;
    if (!isRecord(raw)) throw new TypeError(`${who}: expected the object stateDict() returns, got ${describe(raw)}`);
    if (raw.type !== this.type) throw new TypeError(`${who}: the state is for ${describe(raw.type)}, this optimizer is '${this.type}'`);
    const groups = raw.groups, entries = raw.params;
    if (!Array.isArray(groups) || groups.length !== this.groups.length) {
      throw new RangeError(`${who}: the state has ${Array.isArray(groups) ? groups.length : describe(groups)} groups, this optimizer has ${this.groups.length}`);
    }
    if (!Array.isArray(entries) || entries.length !== params.length) {
      throw new RangeError(`${who}: the state holds ${Array.isArray(entries) ? entries.length : describe(entries)} parameters, ${params.length} were passed`);
    }
    const seen = new Set<Param>();
    params.forEach((p, i) => {
      if (!(p instanceof Param)) throw new TypeError(`${who}: params[${i}] is not a parameter`);
      if (seen.has(p)) throw new RangeError(`${who}: parameter ${p.name} is listed twice`);
      seen.add(p);
    });
    // Options first: they decide which buffers each parameter must have.
    const loaded = this.groups.map((g, gi) => decodeGroup(groups[gi], g.options, `${who}: groups[${gi}]`));
    loaded.forEach(({ options }, gi) => this.validate(options, `${who}: groups[${gi}]`));
    params.forEach((p, i) => {
      const e: unknown = entries[i];
      if (e === null) return;
      const what = `${who}: params[${i}] (${p.name})`;
      if (!isRecord(e)) throw new TypeError(`${what}: expected an object or null, got ${describe(e)}`);
      const spec = this.stateSpec(loaded[this.groups.indexOf(this.groupFor(p))]!.options) ?? inferSpec(e);
      const expected = [...spec.counters, ...spec.tensors];
      const keys = Object.keys(e);
      const unknown = keys.filter((k) => !expected.includes(k));
      const missing = expected.filter((k) => !Object.hasOwn(e, k));
      if (unknown.length > 0 || missing.length > 0) {
        throw new TypeError(`${what}: expected the entries [${expected.join(', ')}]${unknown.length ? `; unknown: ${unknown.slice(0, MAX_LISTED).map(describe).join(', ')}` : ''}${missing.length ? `; missing: ${missing.join(', ')}` : ''}`);
      }
      for (const k of spec.counters) {
        const c = e[k];
        if (typeof c !== 'number' || !Number.isSafeInteger(c) || c < 0) throw new TypeError(`${what}.${k}: expected a non-negative integer, got ${describe(c)}`);
      }
      for (const k of spec.tensors) checkEncodedTensor(e[k], p.value.shape, `${what}.${k}`);
    });
    // Everything fits: apply.
    this.groups.forEach((g, gi) => {
      g.options = loaded[gi]!.options;
      (g as { initialLr: number }).initialLr = loaded[gi]!.initialLr;
    });
    params.forEach((p, i) => {
      const e = entries[i] as Record<string, number | EncodedTensor> | null;
      if (e === null) {
        this.state.delete(p);
        return;
      }
      const s: ParamState = {};
      for (const [k, v] of Object.entries(e)) s[k] = typeof v === 'number' ? v : decodeTensor(v, p.value.shape, p.value.dtype);
      this.state.set(p, s);
    });
    this.lastParams = null; // the cached states are replaced
  }
}

/** Zeroed storage that only its owner references (never from an arena: it outlives the tick). */
function ownedStorage(like: Tensor): TypedArray {
  return allocateFresh(like.dtype, like.size);
}

function encodeOption(v: unknown): EncodedOption {
  if (typeof v === 'number') return encodeNumber(v);
  if (typeof v === 'boolean') return v;
  if (Array.isArray(v)) return v.map((x: number) => encodeNumber(x));
  throw new TypeError(`stateDict(): cannot encode the option value ${describe(v)}`);
}

/** Decodes a group's options, taking each value's type from the optimizer's current options. */
function decodeGroup<O extends BaseOptions>(raw: unknown, template: O, what: string): { options: O; initialLr: number } {
  if (!isRecord(raw)) throw new TypeError(`${what}: expected an object of options, got ${describe(raw)}`);
  const keys = [...Object.keys(template), 'initialLr'];
  for (const k of Object.keys(raw)) if (!keys.includes(k)) throw new TypeError(`${what}: unknown option ${describe(k)}`);
  const options: Record<string, unknown> = {};
  for (const [k, t] of Object.entries(template)) {
    if (!Object.hasOwn(raw, k)) throw new TypeError(`${what}: missing option '${k}'`);
    const v = raw[k];
    if (typeof t === 'boolean') {
      if (typeof v !== 'boolean') throw new TypeError(`${what}.${k}: expected a boolean, got ${describe(v)}`);
      options[k] = v;
    } else if (Array.isArray(t)) {
      if (!Array.isArray(v) || v.length !== t.length) throw new TypeError(`${what}.${k}: expected an array of ${t.length} numbers, got ${describe(v)}`);
      options[k] = v.map((x, i) => decodeNumber(x, `${what}.${k}[${i}]`));
    } else {
      options[k] = decodeNumber(v, `${what}.${k}`);
    }
  }
  if (!Object.hasOwn(raw, 'initialLr')) throw new TypeError(`${what}: missing 'initialLr'`);
  return { options: options as O, initialLr: decodeNumber(raw.initialLr, `${what}.initialLr`) };
}

/** The spec an entry claims for itself, for optimizers that declare none: numbers are counters, the rest buffers. */
function inferSpec(entry: Record<string, unknown>): StateSpec {
  const keys = Object.keys(entry);
  return { counters: keys.filter((k) => typeof entry[k] === 'number'), tensors: keys.filter((k) => typeof entry[k] !== 'number') };
}
