/**
 * rolling(metric, w): River's utils.Rolling — the metric over the last w pairs, by reverting the
 * pairs that leave the window; its state carries the window.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { type Metric, accuracy, f1, mae, rmse, rocAuc, rolling } from '../../src/train/metrics/index.js';

type Pair = [number, number | number[]];
const feed = <M extends Metric>(m: M, pairs: readonly Pair[]): M => {
  for (const [y, p] of pairs) m.update(y, p);
  return m;
};

const binary = fc.array(fc.tuple(fc.constantFrom(0, 1), fc.constantFrom(0, 0.2, 0.5, 0.7, 1)) as fc.Arbitrary<Pair>, { maxLength: 40 });
const regression = fc.array(fc.tuple(fc.integer({ min: -1000, max: 1000 }), fc.integer({ min: -1000, max: 1000 })) as fc.Arbitrary<Pair>, { maxLength: 40 });
const window = fc.integer({ min: 1, max: 8 });

describe('rolling', () => {
  it('equals the metric of the last w pairs: exactly for counting metrics', () => {
    for (const make of [accuracy, () => f1(), () => rocAuc()]) {
      fc.assert(
        fc.property(binary, window, (pairs, w) => {
          const r = feed(rolling(make(), w), pairs);
          const last = feed(make(), pairs.slice(-w));
          expect(JSON.stringify(r.metric.state())).toBe(JSON.stringify(last.state()));
          expect(r.get()).toBe(last.get());
          expect(r.size).toBe(Math.min(w, pairs.length));
        }),
      );
    }
  });

  it('equals the metric of the last w pairs: to rounding for running means', () => {
    for (const make of [mae, rmse]) {
      fc.assert(
        fc.property(regression, window, (pairs, w) => {
          const r = feed(rolling(make(), w), pairs);
          const last = feed(make(), pairs.slice(-w));
          expect(Math.abs(r.get() - last.get())).toBeLessThanOrEqual(1e-9 * 2000);
        }),
      );
    }
  });

  it('keeps a copy of each prediction: a reused buffer does not change the window', () => {
    const buffer = new Float64Array(1);
    const r = rolling(mae(), 2);
    for (const v of [1, 2, 3]) {
      buffer[0] = v;
      r.update(0, buffer);
    }
    // |0 − 2| and |0 − 3| are left; had the window kept the buffer, evicting "1" would revert 3.
    expect(r.get()).toBe(2.5);
    expect((r.state().window as unknown[]).map((p) => (p as Pair)[1])).toEqual([[2], [3]]);
  });

  it('revert takes the newest matching pair out, and refuses one not in the window', () => {
    const r = feed(rolling(mae(), 3), [[0, 1], [0, 5], [0, 1], [0, 9]]); // window: 5, 1, 9
    r.revert(0, 1);
    expect(r.get()).toBe(7);
    expect(r.state().window).toEqual([[0, 5], [0, 9]]);
    expect(() => r.revert(0, 1)).toThrow(/rolling\(mae,3\): cannot revert a pair that is not in the window/);
    r.update(0, 3); // the window has room again
    expect(r.get()).toBeCloseTo(17 / 3, 14);
  });

  it('a refused pair changes neither the window nor the metric', () => {
    const r = feed(rolling(accuracy(), 2), [[1, 0.9], [0, 0.9]]);
    const before = JSON.stringify(r.state());
    expect(() => r.update(1, NaN)).toThrow(/^accuracy: yPred must be finite/);
    expect(() => r.update(2, 0.3)).toThrow(/accuracy: yTrue/);
    expect(JSON.stringify(r.state())).toBe(before);
  });

  it('a metric without validate is put back as it was when it refuses a pair', () => {
    let sum = 0;
    const total: Metric = {
      name: 'total',
      update: (_y, p) => {
        if (typeof p !== 'number' || p < 0) throw new RangeError('total: negative');
        sum += p;
      },
      revert: (_y, p) => {
        sum -= p as number;
      },
      get: () => sum,
      reset: () => (sum = 0),
      state: () => sum,
      load: (s) => (sum = s as number),
    };
    const r = feed(rolling(total, 2), [[0, 1], [0, 2]]);
    expect(() => r.update(0, -1)).toThrow(/negative/);
    expect(r.get()).toBe(3);
    r.update(0, 4);
    expect(r.get()).toBe(6);
  });

  it('a JSON round trip mid-stream resumes the same window (wrapped ring included)', () => {
    fc.assert(
      fc.property(regression, regression, window, (first, rest, w) => {
        const whole = feed(rolling(rmse(), w), [...first, ...rest]);
        const resumed = rolling(rmse(), w);
        resumed.load(JSON.parse(JSON.stringify(feed(rolling(rmse(), w), first).state())));
        feed(resumed, rest);
        expect(Object.is(resumed.get(), whole.get())).toBe(true);
        expect(JSON.stringify(resumed.state())).toBe(JSON.stringify(whole.state()));
      }),
    );
  });

  it('state holds multiclass predictions as arrays', () => {
    const r = feed(rolling(accuracy(), 2), [[2, [0.1, 0.2, 0.7]]]);
    const copy = rolling(accuracy(), 2);
    copy.load(JSON.parse(JSON.stringify(r.state())));
    copy.revert(2, [0.1, 0.2, 0.7]);
    expect(copy.size).toBe(0);
  });

  it('load refuses another window size, an overfull window and malformed pairs', () => {
    const s = feed(rolling(mae(), 2), [[1, 2]]).state();
    expect(() => rolling(mae(), 3).load(s)).toThrow(/window holds 2 pairs, this one 3/);
    expect(() => rolling(mae(), 2).load({ ...s, window: [[1, 2], [1, 2], [1, 2]] })).toThrow(/at most 2 pairs/);
    expect(() => rolling(mae(), 2).load({ ...s, window: [[1, 'x']] })).toThrow(/window\[0\]/);
    expect(() => rolling(mae(), 2).load({ ...s, window: [[1, null]] })).toThrow(/window\[0\]/);
    expect(() => rolling(mae(), 2).load({ ...s, inner: rmse().state() })).toThrow(/state of "rmse"/);
  });

  it('reset empties the window and the metric; names say what is rolled', () => {
    const r = feed(rolling(mae(), 2), [[1, 2]]);
    r.reset();
    expect(r.size).toBe(0);
    expect(r.get()).toBe(0);
    expect(r.name).toBe('rolling(mae,2)');
    expect(() => rolling(mae(), 0)).toThrow(/windowSize must be a positive integer/);
    expect(() => rolling(mae(), 1.5)).toThrow(/windowSize/);
  });
});
