/**
 * learn with a data step (standardize and its running StandardScaler): River's prequential order
 * — predict with the statistics from before the sample, then learn the sample's statistics, then
 * train on the sample standardised with the updated ones — checked bit for bit against the same
 * loop written with runSync, and what the nodes' faces show while the two passes run.
 */
import { from, lastValueFrom, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  type Frame, type Node, type Param, StandardScaler, type Tensor, bceWithLogits, input, learn, linear, retainedTicks, runSync, setCompiledTicks, sgd, sigmoid,
  standardize, tanh,
} from '../../src/index.js';

function model() {
  const scaler = new StandardScaler();
  const x = input([3]), y = input([1]);
  const l1 = linear(3, 4, { seed: 1 }), l2 = linear(4, 1, { seed: 2 });
  const scaled = x.pipe(standardize(scaler));
  const hidden = scaled.pipe(l1, tanh());
  const logit = hidden.pipe(l2);
  return { scaler, x, y, scaled, hidden, logit, params: [...l1.params, ...l2.params] as Param[], loss: bceWithLogits(logit, y), prediction: logit.pipe(sigmoid()) };
}

const samples = Array.from({ length: 12 }, (_, i) => ({ x: [Math.sin(i) * 3 + 1, i % 4, Math.cos(2 * i) * 10], y: i % 3 === 0 ? 1 : 0 }));
const bits = (ps: Param[]) => ps.flatMap((p) => Array.from(p.value.data));

/** The prequential loop by hand: predict, learn the statistics, train. */
function byHand() {
  const m = model();
  const opt = sgd({ lr: 0.2 });
  const predictions: number[] = [], losses: number[] = [], logits: number[] = [];
  for (const s of samples) {
    predictions.push(runSync(m.prediction, { feed: [[m.x, s.x]] }).value.item());
    m.scaler.learn(s.x);
    const r = runSync(m.loss, { feed: [[m.x, s.x], [m.y, [s.y]]], wrt: m.params });
    losses.push(r.loss.item());
    logits.push(runSync(m.logit, { feed: [[m.x, s.x]] }).value.item());
    opt.step(m.params, r.grads);
  }
  return { predictions, losses, logits, params: bits(m.params), scaler: m.scaler };
}

function learnRun(m: ReturnType<typeof model>) {
  return from(samples).pipe(
    learn({ inputs: [m.x, m.y], feed: (s) => [s.x, [s.y]], loss: m.loss, optimizer: sgd({ lr: 0.2 }), prediction: m.prediction }),
    toArray(),
  );
}

describe.each([
  ['compiled', true],
  ['interpreted', false],
])('learn with a data step (%s ticks)', (_name, compiled) => {
  const withTicks = async <T>(f: () => Promise<T>): Promise<T> => {
    const previous = setCompiledTicks(compiled);
    try {
      return await f();
    } finally {
      setCompiledTicks(previous);
    }
  };

  it('predicts with the statistics from before each sample and trains with those after it, to the bit', async () => {
    const expected = byHand();
    const m = model();
    const steps = await withTicks(() => lastValueFrom(learnRun(m)));
    expect(steps.map((s) => s.prediction!.item())).toEqual(expected.predictions);
    expect(steps.map((s) => s.loss)).toEqual(expected.losses);
    expect(bits(m.params)).toEqual(expected.params);
    expect(m.scaler.state()).toEqual(expected.scaler.state());
    expect(retainedTicks()).toBe(0);
  });

  it('each node emits once per tick, the training pass’s value, and its face completes with the run', async () => {
    const expected = byHand();
    const m = model();
    const seen: Record<string, Frame<Tensor>[]> = { x: [], weight: [], logit: [], hidden: [], prediction: [] };
    let completed = 0;
    const watch = (name: string, node: Node) => node.subscribe({ next: (f) => seen[name]!.push(f), complete: () => completed++ });
    watch('x', m.x);
    watch('weight', m.params[0]!);
    watch('logit', m.logit);
    watch('hidden', m.hidden);
    watch('prediction', m.prediction);
    await withTicks(() => lastValueFrom(learnRun(m)));
    for (const frames of Object.values(seen)) expect(frames.map((f) => f.tick)).toEqual(samples.map((_, i) => i));
    // The training pass runs after the scaler learned the sample: the logit of the updated
    // statistics (the prediction pass's values reach only Step.prediction).
    expect(seen.logit!.map((f) => f.value.item())).toEqual(expected.logits);
    expect(completed).toBe(5);
  });
});
