/**
 * Optimizers beyond the PyTorch trajectories: defaults, option checks, skipped parameters, groups,
 * immutability, maximize, dtype, and checkpoints (exact round trip, refusal of bad state before
 * anything changes).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Param, type Tensor, param, tensor } from '../../src/index.js';
import {
  type Optimizer, type OptimizerState, adagrad, adam, adamW, exponentialLR, rmsprop, sgd,
} from '../../src/train/index.js';

/** Fresh parameters of a small model (a matrix, a vector, a scalar). */
function makeParams(): Param[] {
  return [
    param(tensor([[0.5, -1.25, 2], [0.75, 0.1, -0.3]]), { name: 'W' }),
    param(tensor([0.2, -0.4, 0.6]), { name: 'b' }),
    param(tensor(1.5), { name: 's' }),
  ];
}

/** A deterministic, step-dependent gradient: g = sin(k + i)·(θ − 0.3) + cos(k·i)/4. */
function gradsAt(params: readonly Param[], k: number): Tensor[] {
  return params.map((p) => tensor(Array.from(p.value.data, (v, i) => Math.sin(k + i) * (v - 0.3) + Math.cos(k * i) / 4), { shape: p.value.shape }));
}

const values = (params: readonly Param[]) => params.flatMap((p) => Array.from(p.value.data));

/** Every optimizer setting with state worth checkpointing. */
const SETTINGS: [string, (ps: Param[]) => Optimizer][] = [
  ['sgd', () => sgd({ lr: 0.1 })],
  ['sgd momentum dampening wd', () => sgd({ lr: 0.1, momentum: 0.9, dampening: 0.2, weightDecay: 0.01 })],
  ['sgd nesterov groups', (ps) => sgd({ lr: 0.1, momentum: 0.8, nesterov: true, groups: [{ params: [ps[1]!], lr: 0.3 }] })],
  ['adam amsgrad', () => adam({ lr: 0.05, amsgrad: true, weightDecay: 0.1 })],
  ['adamW', () => adamW({ lr: 0.05 })],
  ['rmsprop centered momentum', () => rmsprop({ momentum: 0.9, centered: true, weightDecay: 0.01 })],
  ['adagrad', () => adagrad({ lr: 0.1, lrDecay: 0.01, initialAccumulatorValue: 0.1 })],
];

describe('defaults (PyTorch)', () => {
  it('each factory fills in PyTorch defaults', () => {
    expect(adam().groups[0]!.options).toEqual({ lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false, maximize: false });
    expect(adamW().groups[0]!.options).toEqual({ lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 1e-2, amsgrad: false, maximize: false });
    expect(rmsprop().groups[0]!.options).toEqual({ lr: 1e-2, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0, centered: false, maximize: false });
    expect(adagrad().groups[0]!.options).toEqual({ lr: 1e-2, lrDecay: 0, weightDecay: 0, initialAccumulatorValue: 0, eps: 1e-10, maximize: false });
    expect(sgd({ lr: 0.5 }).groups[0]!.options).toEqual({ lr: 0.5, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, maximize: false });
    expect(sgd({ lr: 0.5 }).lr).toBe(0.5);
  });

  it('types name the rule', () => {
    expect([sgd({ lr: 1 }), adam(), adamW(), rmsprop(), adagrad()].map((o) => o.type)).toEqual(['sgd', 'adam', 'adamw', 'rmsprop', 'adagrad']);
  });
});

describe('option checks', () => {
  const [W, b] = makeParams();
  const cases: [string, () => unknown, RegExp][] = [
    ['sgd without lr', () => sgd({} as never), /sgd\(\): lr is required/],
    ['negative lr', () => sgd({ lr: -1 }), /Invalid learning rate: -1/],
    ['NaN lr', () => adam({ lr: NaN }), /Invalid learning rate: NaN/],
    ['lr not a number', () => adam({ lr: '0.1' as never }), /lr must be a number/],
    ['negative momentum', () => sgd({ lr: 0.1, momentum: -0.5 }), /Invalid momentum value: -0.5/],
    ['nesterov without momentum', () => sgd({ lr: 0.1, nesterov: true }), /Nesterov momentum requires a momentum and zero dampening/],
    ['nesterov with dampening', () => sgd({ lr: 0.1, momentum: 0.9, dampening: 0.1, nesterov: true }), /Nesterov momentum requires a momentum and zero dampening/],
    ['beta1 = 1', () => adam({ betas: [1, 0.999] }), /beta parameter at index 0: 1/],
    ['beta2 < 0', () => adamW({ betas: [0.9, -0.1] }), /beta parameter at index 1: -0.1/],
    ['betas of one', () => adam({ betas: [0.9] as never }), /betas must be \[beta1, beta2\]/],
    ['negative eps', () => adam({ eps: -1e-8 }), /Invalid epsilon value/],
    ['negative weight decay', () => adagrad({ weightDecay: -1 }), /Invalid weight_decay value: -1/],
    ['negative alpha', () => rmsprop({ alpha: -0.1 }), /Invalid alpha value/],
    ['negative lrDecay', () => adagrad({ lrDecay: -1 }), /Invalid lr_decay value/],
    ['negative accumulator', () => adagrad({ initialAccumulatorValue: -1 }), /Invalid initial_accumulator_value value/],
    ['amsgrad not boolean', () => adam({ amsgrad: 1 as never }), /amsgrad must be true or false/],
    ['unknown option (typo)', () => sgd({ lr: 0.1, momentun: 0.9 } as never), /unknown option 'momentun'/],
    ['bad group lr names the group', () => sgd({ lr: 0.1, groups: [{ params: [W!], lr: -2 }] }), /groups\[0\]: Invalid learning rate: -2/],
    ['unknown group option', () => adam({ groups: [{ params: [W!], learningRate: 1 } as never] }), /groups\[0\] has an unknown option 'learningRate'/],
    ['group params not parameters', () => adam({ groups: [{ params: [tensor([1])] as never }] }), /groups\[0\]\.params must be an array of parameters/],
    ['parameter in two groups', () => adam({ groups: [{ params: [W!, b!] }, { params: [b!] }] }), /parameter b is in two groups/],
  ];
  it.each(cases)('%s', (_, make, message) => {
    expect(make).toThrow(message);
  });
});

describe('step', () => {
  it('skips parameters whose gradient is null, leaving their value and state alone', () => {
    const a = makeParams(), b = makeParams();
    const optA = adam({ lr: 0.1 }), optB = adam({ lr: 0.1 });
    for (let k = 0; k < 5; k++) {
      const ga = gradsAt(a, k), gb = gradsAt(b, k);
      // b's second parameter gets a gradient only on steps 0 and 4: its own step count is 2.
      optA.step(a, [ga[0]!, k === 0 || k === 4 ? ga[1]! : null, ga[2]!]);
      optB.step(b, gb);
    }
    expect(a[0]!.value.data).toEqual(b[0]!.value.data);
    expect(a[1]!.value.data).not.toEqual(b[1]!.value.data);
    const state = optA.stateDict(a);
    expect(state.params.map((p) => p?.step)).toEqual([5, 2, 5]);
    const untouched = makeParams();
    adam().step(untouched, [null, null, null]);
    expect(values(untouched)).toEqual(values(makeParams()));
  });

  it('refuses misaligned arrays and gradients of the wrong shape', () => {
    const ps = makeParams();
    expect(() => sgd({ lr: 1 }).step(ps, gradsAt(ps, 0).slice(0, 2))).toThrow(/3 parameters but 2 gradients/);
    expect(() => sgd({ lr: 1 }).step(ps, [tensor([1, 2]), null, null])).toThrow(/gradient 0 has shape \[2\], parameter W has \[2,3\]/);
  });

  it('never writes into the gradients, the values the user has seen, or a state it handed out', () => {
    for (const [, make] of SETTINGS) {
      const ps = makeParams();
      const opt = make(ps);
      opt.step(ps, gradsAt(ps, 0));
      const saved = opt.stateDict(ps);
      const before = JSON.stringify(saved);
      const oldValues = ps.map((p) => p.value), oldCopies = oldValues.map((t) => Array.from(t.data));
      const grads = gradsAt(ps, 1), gradCopies = grads.map((g) => Array.from(g.data));
      opt.step(ps, grads);
      expect(grads.map((g) => Array.from(g.data))).toEqual(gradCopies);
      // Values read through .value are values: the step moved the parameters to new storage.
      expect(oldValues.map((t) => Array.from(t.data))).toEqual(oldCopies);
      expect(ps.every((p, i) => p.value !== oldValues[i])).toBe(true);
      // A state handed out is a copy; the optimizer's own buffers are private and move in place.
      expect(JSON.stringify(saved)).toBe(before);
      expect(JSON.stringify(opt.stateDict(ps)) !== before || opt.type === 'sgd').toBe(true);
    }
  });

  it('updates in place only what nobody else can see, and gives the same numbers either way', () => {
    for (const [, make] of SETTINGS) {
      const a = makeParams(), b = makeParams();
      const oa = make(a), ob = make(b);
      for (let t = 0; t < 5; t++) {
        oa.step(a, gradsAt(a, t));
        ob.step(b, gradsAt(b, t));
        b.forEach((p) => p.value); // reading b's values every step forces new storage for b
      }
      expect(a.map((p) => Array.from(p.value.data))).toEqual(b.map((p) => Array.from(p.value.data)));
    }
  });

  it('uses each group\'s options: SGD moves a parameter by exactly its group\'s lr', () => {
    const ps = makeParams();
    const opt = sgd({ lr: 0.1, groups: [{ params: [ps[1]!], lr: 0.3 }] });
    const g = gradsAt(ps, 2);
    const before = ps.map((p) => Array.from(p.value.data));
    opt.step(ps, g);
    ps.forEach((p, i) => {
      const lr = i === 1 ? 0.3 : 0.1;
      expect(Array.from(p.value.data)).toEqual(before[i]!.map((v, j) => v + -lr * g[i]!.data[j]!));
    });
    expect(opt.groupFor(ps[1]!).options.lr).toBe(0.3);
    expect(opt.groupFor(ps[0]!)).toBe(opt.groups[1]);
    expect(opt.groups.map((gr) => gr.params?.map((p) => p.name) ?? null)).toEqual([['b'], null]);
  });

  it('maximize with g is minimize with −g, to the bit (every optimizer)', () => {
    const makers = [
      (m: boolean) => sgd({ lr: 0.1, momentum: 0.9, nesterov: true, maximize: m }),
      (m: boolean) => adam({ lr: 0.1, amsgrad: true, maximize: m }),
      (m: boolean) => adamW({ lr: 0.1, maximize: m }),
      (m: boolean) => rmsprop({ centered: true, momentum: 0.5, maximize: m }),
      (m: boolean) => adagrad({ maximize: m }),
    ];
    fc.assert(
      fc.property(fc.array(fc.double({ min: -10, max: 10, noNaN: true }), { minLength: 6, maxLength: 6 }), fc.integer({ min: 0, max: 4 }), (gs, which) => {
        const a = makeParams(), b = makeParams();
        const optA = makers[which]!(true), optB = makers[which]!(false);
        for (let k = 0; k < 3; k++) {
          const g = tensor(gs.map((v) => v * (k + 1)), { shape: [2, 3] });
          optA.step(a, [g, null, null]);
          optB.step(b, [tensor(Array.from(g.data, (v) => -v), { shape: [2, 3] }), null, null]);
        }
        expect(Array.from(a[0]!.value.data)).toEqual(Array.from(b[0]!.value.data));
      }),
    );
  });

  it('keeps float32 parameters float32', () => {
    for (const [, make] of SETTINGS) {
      const ps = [param(tensor([1, -2, 3], { dtype: 'float32' }))];
      const opt = make([...ps, ...makeParams()]);
      opt.step(ps, [tensor([0.5, 0.25, -1], { dtype: 'float32' })]);
      expect(ps[0]!.value.dtype).toBe('float32');
      expect(Array.from(ps[0]!.value.data).every(Number.isFinite)).toBe(true);
    }
  });

  it('AdamW decays decoupled from the gradient: with a zero gradient θ shrinks by exactly (1 − lr·λ)', () => {
    const p = param(tensor([2, -4]));
    adamW({ lr: 0.1, weightDecay: 0.5 }).step([p], [tensor([0, 0])]);
    expect(Array.from(p.value.data)).toEqual([2 * (1 - 0.05), -4 * (1 - 0.05)]);
    const q = param(tensor([2, -4]));
    adam({ lr: 0.1, weightDecay: 0.5 }).step([q], [tensor([0, 0])]);
    // Adam's L2 term makes the first step a signed lr step: m̂/√v̂ = ±1.
    expect(Array.from(q.value.data).map((v) => Math.round(v * 1e6) / 1e6)).toEqual([1.9, -3.9]);
  });
});

describe('stateDict / loadStateDict', () => {
  it.each(SETTINGS)('%s: save after 4 steps, load into a fresh optimizer, continue: bit-identical to an uninterrupted run', (_, make) => {
    const straight = makeParams();
    const optS = make(straight);
    const schedS = exponentialLR(optS, { gamma: 0.9 });
    for (let k = 0; k < 10; k++) {
      optS.step(straight, gradsAt(straight, k));
      schedS.step();
    }

    const first = makeParams();
    const opt1 = make(first);
    const sched1 = exponentialLR(opt1, { gamma: 0.9 });
    for (let k = 0; k < 4; k++) {
      opt1.step(first, gradsAt(first, k));
      sched1.step();
    }
    const saved = JSON.stringify({ params: first.map((p) => Array.from(p.value.data)), opt: opt1.stateDict(first), sched: sched1.stateDict() });

    const resumed = makeParams();
    const loaded = JSON.parse(saved) as { params: number[][]; opt: OptimizerState; sched: ReturnType<typeof sched1.stateDict> };
    resumed.forEach((p, i) => p.assign(tensor(loaded.params[i]!, { shape: p.value.shape })));
    const opt2 = make(resumed);
    const sched2 = exponentialLR(opt2, { gamma: 0.9 });
    opt2.loadStateDict(resumed, loaded.opt);
    sched2.loadStateDict(loaded.sched);
    expect(opt2.lr).toBe(opt1.lr);
    for (let k = 4; k < 10; k++) {
      opt2.step(resumed, gradsAt(resumed, k));
      sched2.step();
    }
    expect(values(resumed)).toEqual(values(straight));
    expect(JSON.stringify(opt2.stateDict(resumed))).toBe(JSON.stringify(optS.stateDict(straight)));
  });

  it('NaN, ±Infinity and −0 survive JSON exactly', () => {
    const ps = [param(tensor([1, 2, 3, 4]))];
    const opt = adam({ lr: 0.1, amsgrad: true });
    opt.step(ps, [tensor([Infinity, -Infinity, NaN, -0])]);
    const state = opt.stateDict(ps);
    const text = JSON.stringify(state);
    expect(text).toContain('"NaN"');
    expect(text).toContain('"Infinity"');
    expect(text).toContain('"-Infinity"');
    const fresh = adam({ lr: 0.1, amsgrad: true });
    fresh.loadStateDict(ps, JSON.parse(text));
    const back = fresh.stateDict(ps);
    expect(JSON.stringify(back)).toBe(text);
    const exp = (back.params[0] as Record<string, { data: unknown[] }>).expAvg!.data;
    expect(exp).toEqual(['Infinity', '-Infinity', 'NaN', 0]);
    // SGD's first momentum buffer is the gradient itself, −0 included.
    const q = [param(tensor([1, 2]))];
    const withMomentum = sgd({ lr: 0.1, momentum: 0.9 });
    withMomentum.step(q, [tensor([-0, 0])]);
    const sgdText = JSON.stringify(withMomentum.stateDict(q));
    expect(sgdText).toContain('"data":["-0",0]');
    const reloaded = sgd({ lr: 0.1, momentum: 0.9 });
    reloaded.loadStateDict(q, JSON.parse(sgdText));
    const buf = (reloaded as unknown as { state: Map<Param, { momentumBuffer: Tensor }> }).state.get(q[0]!)!.momentumBuffer;
    expect(Object.is(buf.data[0], -0)).toBe(true);
    expect(Object.is(buf.data[1], 0)).toBe(true);
  });

  it('restores the group options a scheduler changed, and the initial lr', () => {
    const ps = makeParams();
    const opt = sgd({ lr: 0.4, groups: [{ params: [ps[0]!], lr: 0.2 }] });
    const sched = exponentialLR(opt, { gamma: 0.5 });
    sched.step();
    const fresh = sgd({ lr: 0.4, groups: [{ params: [ps[0]!], lr: 0.2 }] });
    fresh.loadStateDict(ps, JSON.parse(JSON.stringify(opt.stateDict(ps))));
    expect(fresh.groups.map((g) => [g.options.lr, g.initialLr])).toEqual([[0.1, 0.2], [0.2, 0.4]]);
  });

  describe('refuses bad state with a clear error, before changing anything', () => {
    const ps = makeParams();
    const opt = adam({ lr: 0.05, amsgrad: true });
    opt.step(ps, gradsAt(ps, 0));
    const good = (): OptimizerState => JSON.parse(JSON.stringify(opt.stateDict(ps)));
    const buffer = (s: OptimizerState, i: number, k: string) => (s.params[i] as Record<string, { shape: number[]; data: unknown[] }>)[k]!;
    const cases: [string, () => unknown, RegExp][] = [
      ['null', () => null, /expected the object stateDict\(\) returns, got null/],
      ['a number', () => 42, /got number 42/],
      ['an array', () => [], /got an array of 0/],
      ['another optimizer\'s state', () => sgd({ lr: 1 }).stateDict(ps), /the state is for "sgd", this optimizer is 'adam'/],
      ['too many groups', () => ({ ...good(), groups: [...good().groups, ...good().groups] }), /the state has 2 groups, this optimizer has 1/],
      ['too few parameters', () => ({ ...good(), params: good().params.slice(1) }), /the state holds 2 parameters, 3 were passed/],
      ['params not an array', () => ({ ...good(), params: { length: 3 } }), /the state holds an object parameters/],
      ['an option of the wrong type', () => { const s = good(); s.groups[0]!.lr = '0.1' as never; return s; }, /groups\[0\]\.lr: expected a number/],
      ['an invalid option value', () => { const s = good(); s.groups[0]!.lr = -1; return s; }, /groups\[0\]: Invalid learning rate: -1/],
      ['a missing option', () => { const s = good(); delete s.groups[0]!.eps; return s; }, /missing option 'eps'/],
      ['an unknown option', () => { const s = good(); s.groups[0]!.momentum = 0.9; return s; }, /unknown option "momentum"/],
      ['betas of the wrong length', () => { const s = good(); s.groups[0]!.betas = [0.9]; return s; }, /betas: expected an array of 2 numbers/],
      ['a missing buffer', () => { const s = good(); delete (s.params[1] as Record<string, unknown>).maxExpAvgSq; return s; }, /params\[1\] \(b\): .*missing: maxExpAvgSq/],
      ['an unknown buffer', () => { const s = good(); (s.params[1] as Record<string, unknown>).extra = 1; return s; }, /unknown: "extra"/],
      ['a buffer of another shape', () => { const s = good(); buffer(s, 0, 'expAvg').shape = [3, 2]; return s; }, /params\[0\] \(W\)\.expAvg: shape \[3,2\] does not match the parameter's \[2,3\]/],
      ['an absurd shape', () => { const s = good(); buffer(s, 0, 'expAvg').shape = [2 ** 40, 2 ** 40]; return s; }, /does not match/],
      ['a rank mismatch', () => { const s = good(); buffer(s, 2, 'expAvg').shape = [1]; return s; }, /params\[2\] \(s\)\.expAvg: shape \[1\] does not match the parameter's \[\]/],
      ['too little data', () => { const s = good(); buffer(s, 1, 'expAvgSq').data.pop(); return s; }, /data must be an array of 3 numbers for shape \[3\], got 2 entries/],
      ['data not an array', () => { const s = good(); buffer(s, 1, 'expAvgSq').data = 'abc' as never; return s; }, /data must be an array of 3 numbers/],
      ['a non-numeric element', () => { const s = good(); buffer(s, 0, 'expAvg').data[4] = 'oops'; return s; }, /expAvg\.data\[4\]: expected a number/],
      ['a null element', () => { const s = good(); buffer(s, 0, 'expAvg').data[0] = null; return s; }, /expAvg\.data\[0\]: expected a number .* got null/],
      ['a boolean element', () => { const s = good(); buffer(s, 0, 'expAvg').data[0] = true; return s; }, /expected a number/],
      ['a negative step', () => { const s = good(); (s.params[2] as Record<string, unknown>).step = -1; return s; }, /step: expected a non-negative integer/],
      ['a fractional step', () => { const s = good(); (s.params[2] as Record<string, unknown>).step = 1.5; return s; }, /step: expected a non-negative integer/],
      ['an entry that is not an object', () => { const s = good(); s.params[2] = 'x' as never; return s; }, /params\[2\] \(s\): expected an object or null/],
    ];
    it.each(cases)('%s', (_, make, message) => {
      const target = adam({ lr: 0.05, amsgrad: true });
      target.step(ps.map((p) => param(p.value)), gradsAt(ps, 3)); // unrelated state: must stay as it is
      const before = JSON.stringify(target.stateDict(ps)) + JSON.stringify(target.groups);
      expect(() => target.loadStateDict(ps, make() as OptimizerState)).toThrow(message);
      expect(JSON.stringify(target.stateDict(ps)) + JSON.stringify(target.groups)).toBe(before);
    });

    it('a bad last entry leaves the earlier, valid entries unloaded too', () => {
      const target = adam({ lr: 0.05, amsgrad: true });
      const s = good();
      buffer(s, 2, 'expAvg').data[0] = 'bad';
      expect(() => target.loadStateDict(ps, s)).toThrow(/params\[2\]/);
      expect(target.stateDict(ps).params).toEqual([null, null, null]);
    });

    it('refuses the same parameter twice', () => {
      expect(() => adam().loadStateDict([ps[0]!, ps[0]!], { type: 'adam', groups: adam().stateDict([]).groups, params: [null, null] })).toThrow(/parameter W is listed twice/);
    });

    it('null entries clear a parameter\'s state', () => {
      const target = adam({ lr: 0.05, amsgrad: true });
      target.step(ps, gradsAt(ps, 1));
      const s = good();
      s.params[1] = null;
      target.loadStateDict(ps, s);
      expect(target.stateDict(ps).params[1]).toBeNull();
    });
  });
});
