/**
 * unstandardize: z·σ + μ per feature with a running StandardScaler's statistics (σ = 1 where the
 * variance is still 0). It lives outside the op registry (it carries a scaler), so its backward is
 * property-tested here, against finite differences, with a wrong backward shown to be caught.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type AnyOp, StandardScaler, defineOp, input, runSync, standardize, tensor, unstandardize } from '../../src/index.js';
import { checkOp, gradcheck, tensorArb } from '../../src/testing/index.js';

/** A scaler that has learned a few rows of 3 features; the last feature is constant (σ² = 0). */
function learnedScaler(): StandardScaler {
  const s = new StandardScaler();
  for (let i = 0; i < 7; i++) s.learn([Math.sin(i) * 4 + 2, i * 0.5 - 1, 3]);
  return s;
}

/** The op behind `unstandardize(scaler)`, as the engine runs it. */
const opOf = (scaler: StandardScaler): AnyOp => input([3]).pipe(unstandardize(scaler)).op!;

describe('unstandardize', () => {
  it('maps standardised rows back to the data’s units (and σ = 1 where the variance is 0)', () => {
    const scaler = learnedScaler();
    const x = input([3]);
    const back = x.pipe(standardize(scaler), unstandardize(scaler));
    const row = [1.25, -0.75, 3];
    const out = Array.from(runSync(back, { feed: [[x, row]] }).value.data);
    expect(out[0]).toBeCloseTo(row[0]!, 12);
    expect(out[1]).toBeCloseTo(row[1]!, 12);
    // The constant feature standardises to 0 and comes back as μ.
    expect(out[2]).toBe(3);
    // Rows of a batch, each on its own.
    const batch = input([2, 3]);
    const twice = runSync(batch.pipe(unstandardize(scaler)), { feed: [[batch, tensor([0, 0, 0, 1, -1, 2], { shape: [2, 3] })]] }).value;
    expect(Array.from(twice.data.subarray(0, 3))).toEqual(Array.from(scaler.mean));
    expect(twice.data[5]).toBe(2 + 3);
  });

  it('its backward (σ per feature) matches finite differences, for one row and for a batch', () => {
    const scaler = learnedScaler();
    const op = opOf(scaler);
    const rows = fc.oneof(tensorArb([3], { min: -5, max: 5 }), tensorArb([4, 3], { min: -5, max: 5 }));
    fc.assert(checkOp(op, { cases: rows.map((z) => ({ inputs: [z], attrs: { scaler } })) }), { numRuns: 60, seed: 7 });
  });

  it('a backward that is wrong for one feature is caught', () => {
    const scaler = learnedScaler();
    const op = opOf(scaler);
    const wrong = defineOp<{ scaler: StandardScaler }, 1>({
      name: 'unstandardizeWrong',
      arity: 1,
      forward: ([z], attrs) => op.forward([z!], attrs),
      // σ² instead of σ on the first feature.
      backward: (g, saved, needs) => {
        const [d] = op.backward(g, saved as never, needs);
        const out = d!.clone();
        for (let i = 0; i < out.size; i += 3) out.data[i] = out.data[i]! * scaler.scaleAt(0);
        return [out];
      },
    });
    const report = gradcheck(wrong, [tensor([0.5, -1, 2])], { attrs: { scaler } });
    expect(report.ok).toBe(false);
    expect(gradcheck(op, [tensor([0.5, -1, 2])], { attrs: { scaler } }).ok).toBe(true);
  });

  it('names the op and the shapes when the feature count is wrong', () => {
    const scaler = learnedScaler();
    const z = input([4]);
    expect(() => runSync(z.pipe(unstandardize(scaler)), { feed: [[z, [1, 2, 3, 4]]] })).toThrow(/unstandardize: expected 3 features on the last axis, got \[4\]/);
  });
});
