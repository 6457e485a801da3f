/**
 * Metrics: River's docstring values, definitions checked against batch formulas, the binary and
 * multiclass conventions, refusals of bad input (which must leave the metric unchanged), exact
 * reverts and exact state round trips through JSON.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { type Metric, accuracy, f1, logLoss, mae, r2, rmse, rocAuc, rolling } from '../../src/train/metrics/index.js';

type Pair = [number, number | number[] | Float64Array];

/** |a − b| within `tol` relative to max(1, |b|). */
const near = (a: number, b: number, tol: number): void => {
  expect(Math.abs(a - b) / Math.max(1, Math.abs(b)), `${a} vs ${b}`).toBeLessThanOrEqual(tol);
};

/** R² is a ratio of sums: meaningful only when the y vary (relative spread above 1e-6). */
const r2Conditioned = (pairs: readonly Pair[]): boolean => {
  const ys = pairs.map(([y]) => y);
  const mean = ys.reduce((s, v) => s + v, 0) / ys.length;
  const tss = ys.reduce((s, y) => s + (y - mean) ** 2, 0);
  return ys.length >= 2 && tss / (ys.length * Math.max(1, ...ys.map(Math.abs)) ** 2) > 1e-6;
};

const feed = (m: Metric, pairs: readonly Pair[]): Metric => {
  for (const [y, p] of pairs) m.update(y, p);
  return m;
};

const json = (m: Metric): string => JSON.stringify(m.state());

/** Binary pairs; p from a small set so that ties (0.5) and the ends (0, 1) come up often. */
const binaryPair = fc.tuple(
  fc.constantFrom(0, 1),
  fc.oneof(fc.constantFrom(0, 0.5, 1, 0.25, 0.75), fc.double({ min: 0, max: 1, noNaN: true })),
) as fc.Arbitrary<Pair>;
const binaryPairs = fc.array(binaryPair, { minLength: 1, maxLength: 60 });
const regressionPair = fc.tuple(fc.double({ min: -1e6, max: 1e6, noNaN: true }), fc.double({ min: -1e6, max: 1e6, noNaN: true })) as fc.Arbitrary<Pair>;
const regressionPairs = fc.array(regressionPair, { minLength: 1, maxLength: 60 });

/** Every metric, with pairs of the kind it takes. */
const kinds: { make: () => Metric; pairs: fc.Arbitrary<Pair[]>; exact: boolean }[] = [
  { make: accuracy, pairs: binaryPairs, exact: true },
  { make: () => f1(), pairs: binaryPairs, exact: true },
  { make: () => rocAuc(), pairs: binaryPairs, exact: true },
  { make: logLoss, pairs: binaryPairs, exact: false },
  { make: mae, pairs: regressionPairs, exact: false },
  { make: rmse, pairs: regressionPairs, exact: false },
  { make: r2, pairs: regressionPairs, exact: false },
];

describe('River docstring values', () => {
  const yt = [3, -0.5, 2, 7];
  const yp = [2.5, 0.0, 2, 8];
  const trace = (m: Metric, ys: number[], ps: number[]): number[] =>
    ys.map((y, i) => {
      m.update(y, ps[i]!);
      return m.get();
    });

  it('MAE: 0.5, 0.5, 0.333333, 0.5', () => {
    const t = trace(mae(), yt, yp);
    expect(t[0]).toBe(0.5);
    expect(t[1]).toBe(0.5);
    expect(t[2]).toBeCloseTo(1 / 3, 15);
    expect(t[3]).toBe(0.5);
  });

  it('RMSE: 0.5, 0.5, 0.408248, 0.612372', () => {
    const t = trace(rmse(), yt, yp);
    expect(t[2]).toBeCloseTo(0.408248, 6);
    expect(t[3]).toBeCloseTo(Math.sqrt(0.375), 15);
  });

  it('R2: 0.0, 0.9183, 0.9230, 0.9486', () => {
    const t = trace(r2(), yt, yp);
    expect(t[0]).toBe(0);
    expect(t.slice(1).map((v) => Math.round(v * 1e4) / 1e4)).toEqual([0.9184, 0.9231, 0.9486]); // River prints truncated to 4 digits
    expect(t[1]).toBeCloseTo(1 - 0.5 / (2 * 1.75 * 1.75), 15);
  });

  it('LogLoss: 0.105360, 0.105360, 0.144621, 0.216161 (truncated), shown as 0.216162', () => {
    const t = trace(logLoss(), [1, 0, 0, 1], [0.9, 0.1, 0.2, 0.65]);
    expect(t.map((v) => Math.trunc(v * 1e6) / 1e6)).toEqual([0.10536, 0.10536, 0.144621, 0.216161]);
    expect(t[3]!.toFixed(6)).toBe('0.216162');
  });

  it('F1: 66.67% on River example', () => {
    const m = feed(f1(), [[0, 0], [0, 0], [0, 1], [1, 1], [1, 0], [1, 1]]);
    expect(m.get()).toBeCloseTo(2 / 3, 15);
  });

  it('ROCAUC: 87.50% with 10 thresholds, 75.00% with 20 (the true AUC)', () => {
    const pairs: Pair[] = [[0, 0.1], [0, 0.4], [1, 0.35], [1, 0.8]];
    expect(feed(rocAuc(), pairs).get()).toBe(0.875);
    expect(feed(rocAuc({ thresholds: 20 }), pairs).get()).toBe(0.75);
  });

  it('utils.Rolling(MSE, 2): 0.25, 0.25, 0.125, 0.5 (as RMSE, their roots)', () => {
    const t = trace(rolling(rmse(), 2), yt, yp);
    [0.25, 0.25, 0.125, 0.5].forEach((mse, i) => expect(t[i]).toBeCloseTo(Math.sqrt(mse), 15));
  });
});

describe('accuracy and f1: reading predictions', () => {
  it('a binary probability is class 1 only above 0.5: a tie is class 0, as in River', () => {
    const m = accuracy();
    m.update(0, 0.5);
    expect(m.get()).toBe(1);
    m.update(1, 0.5);
    expect(m.get()).toBe(0.5);
    m.update(1, 0.5000000000000001);
    expect(m.get()).toBeCloseTo(2 / 3, 15);
  });

  it('a one-element array is a probability; several values are argmax, first on ties', () => {
    const m = accuracy();
    m.update(1, new Float64Array([0.9]));
    m.update(0, [0.4, 0.4, 0.2]); // tie between 0 and 1: class 0
    m.update(2, [1, 3, 7]); // scores need not be probabilities for argmax
    m.update(1, [0.6, 0.4]);
    expect(m.get()).toBe(0.75);
  });

  it('f1 counts the chosen positive class', () => {
    const pairs: Pair[] = [[1, 0.9], [0, 0.7], [1, 0.3], [0, 0.1], [0, 0.2]];
    expect(feed(f1(), pairs).get()).toBe(0.5); // TP 1, FP 1, FN 1
    // class 0 as positive: TP 2 (the 0.1, 0.2), FP 1 (the 0.3), FN 1 (the 0.7)
    expect(feed(f1({ positive: 0 }), pairs).get()).toBeCloseTo(2 / 3, 15);
  });

  it('f1 is 0 on zero divisions (nothing positive predicted or seen)', () => {
    expect(feed(f1(), [[0, 0.1], [0, 0.2]]).get()).toBe(0);
    expect(feed(f1(), [[1, 0.1]]).get()).toBe(0);
    expect(f1().get()).toBe(0);
  });

  it('f1 agrees with 2TP/(2TP + FP + FN) on random streams, multiclass included', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 2 }), fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 3, maxLength: 3 }))), fc.integer({ min: 0, max: 2 }), (pairs, positive) => {
        const m = feed(f1({ positive }), pairs as Pair[]);
        let tp = 0, fp = 0, fn = 0;
        for (const [y, p] of pairs) {
          const guess = p.indexOf(Math.max(...p));
          if (guess === positive && y === positive) tp++;
          else if (guess === positive) fp++;
          else if (y === positive) fn++;
        }
        const expected = tp === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn);
        expect(m.get()).toBeCloseTo(expected, 12);
      }),
    );
  });
});

describe('logLoss', () => {
  it('clamps p to [1e-15, 1 − 1e-15]: a certain wrong prediction costs ≈ 34.54, not ∞', () => {
    expect(feed(logLoss(), [[1, 0]]).get()).toBeCloseTo(-Math.log(1e-15), 12);
    const wrongOne = feed(logLoss(), [[0, 1]]).get();
    expect(wrongOne).toBeGreaterThan(34.5);
    expect(Number.isFinite(wrongOne)).toBe(true);
    const right = feed(logLoss(), [[1, 1]]).get(); // −log(1 − 1e-15), about 1e-15
    expect(right).toBeGreaterThan(0);
    expect(right).toBeLessThan(1.1e-15);
  });

  it('takes class probabilities: −log p[y], the same as the binary loss of p[1] for two classes', () => {
    expect(feed(logLoss(), [[1, [0.2, 0.7, 0.1]]]).get()).toBeCloseTo(-Math.log(0.7), 15);
    expect(feed(logLoss(), [[0, [0.3, 0.7]]]).get()).toBeCloseTo(feed(logLoss(), [[0, 0.7]]).get(), 15);
  });
});

describe('rocAuc', () => {
  /** Mann–Whitney AUC, ties counted one half. */
  const exactAuc = (pairs: readonly Pair[]): number => {
    const pos = pairs.filter(([y]) => y === 1).map(([, p]) => p as number);
    const neg = pairs.filter(([y]) => y === 0).map(([, p]) => p as number);
    if (pos.length === 0 || neg.length === 0) return 0;
    let s = 0;
    for (const a of pos) for (const b of neg) s += a > b ? 1 : a === b ? 0.5 : 0;
    return s / (pos.length * neg.length);
  };

  it('equals the exact AUC when every distinct p sits between two thresholds', () => {
    // 11 thresholds cut at 0, 0.1, …, 1: predictions at bin centres are all separated.
    const centred = fc.tuple(fc.constantFrom(0, 1), fc.integer({ min: 0, max: 9 }).map((k) => k / 10 + 0.05)) as fc.Arbitrary<Pair>;
    fc.assert(
      fc.property(fc.array(centred, { minLength: 1, maxLength: 50 }), (pairs) => {
        expect(feed(rocAuc({ thresholds: 11 }), pairs).get()).toBeCloseTo(exactAuc(pairs), 12);
      }),
    );
  });

  it('is 0 until both classes were seen, 1 for a perfect ranking, 0.5 for a constant prediction', () => {
    expect(rocAuc().get()).toBe(0);
    expect(feed(rocAuc(), [[1, 0.9], [1, 0.2]]).get()).toBe(0);
    expect(feed(rocAuc(), [[1, 0.9], [0, 0.05]]).get()).toBe(1);
    expect(feed(rocAuc(), [[1, 0.3], [0, 0.3], [1, 0.3]]).get()).toBe(0.5);
  });

  it('takes [P(0), P(1)] pairs and one-element arrays as P(1)', () => {
    const a = feed(rocAuc(), [[1, 0.9], [0, 0.3], [1, 0.2]]).get();
    expect(feed(rocAuc(), [[1, [0.1, 0.9]], [0, [0.7, 0.3]], [1, new Float32Array([0.2])]] as Pair[]).get()).toBeCloseTo(a, 7);
  });

  it('refuses thresholds below 2 and more than two class probabilities', () => {
    expect(() => rocAuc({ thresholds: 1 })).toThrow(/thresholds/);
    expect(() => rocAuc().update(1, [0.2, 0.3, 0.5])).toThrow(/rocAuc.*binary/);
  });
});

describe('mae, rmse, r2: definitions against batch formulas', () => {
  it('match the batch formulas on random streams', () => {
    fc.assert(
      fc.property(regressionPairs, (pairs) => {
        const ys = pairs.map(([y]) => y);
        const es = pairs.map(([y, p]) => y - (p as number));
        const n = pairs.length;
        const sum = (a: number[]) => a.reduce((s, v) => s + v, 0);
        near(feed(mae(), pairs).get(), sum(es.map(Math.abs)) / n, 1e-12);
        near(feed(rmse(), pairs).get(), Math.sqrt(sum(es.map((e) => e * e)) / n), 1e-12);
        const mean = sum(ys) / n;
        const tss = sum(ys.map((y) => (y - mean) ** 2));
        if (r2Conditioned(pairs)) near(feed(r2(), pairs).get(), 1 - sum(es.map((e) => e * e)) / tss, 1e-7);
      }),
    );
  });

  it('r2 is 0 below two pairs and when every y is equal (River)', () => {
    expect(feed(r2(), [[3, 1]]).get()).toBe(0);
    expect(feed(r2(), [[3, 1], [3, 5], [3, 3]]).get()).toBe(0);
    expect(feed(r2(), [[1, 1], [3, 3]]).get()).toBe(1);
  });

  it('a one-element array is a prediction; more than one is refused', () => {
    expect(feed(mae(), [[1, new Float64Array([3])]]).get()).toBe(2);
    expect(() => mae().update(1, [1, 2])).toThrow(/mae: expected one predicted value, got 2/);
  });
});

describe('refusals name the metric and change nothing', () => {
  const bad: [string, number, number | number[], RegExp][] = [
    ['NaN truth', NaN, 0.5, /yTrue must be finite, got NaN/],
    ['∞ prediction', 1, Infinity, /yPred must be finite, got Infinity/],
    ['NaN inside an array', 1, [0.2, NaN], /yPred\[1\] must be finite/],
    ['empty array', 1, [], /yPred is empty/],
  ];
  for (const { make } of kinds) {
    const name = make().name;
    it(`${name}`, () => {
      for (const [, y, p, message] of bad) {
        const m = make();
        m.update(1, 0.75);
        const before = json(m);
        expect(() => m.update(y, p)).toThrow(new RegExp(`^${name}: `));
        expect(() => m.update(y, p)).toThrow(message);
        expect(json(m)).toBe(before);
        expect(() => m.revert(y, p)).toThrow(message);
        expect(json(m)).toBe(before);
      }
    });
  }

  it('binary metrics refuse labels other than 0/1 and probabilities outside [0, 1]', () => {
    for (const make of [accuracy, () => f1(), () => rocAuc(), logLoss]) {
      const m = make();
      expect(() => m.update(2, 0.3)).toThrow(/yTrue must be .*0 or 1, got 2/);
      expect(() => m.update(0.5, 0.3)).toThrow(/yTrue/);
      expect(() => m.update(1, 1.5)).toThrow(/probability in \[0, 1\], got 1.5/);
      expect(() => m.update(1, -0.1)).toThrow(/probability/);
      expect(json(m)).toBe(json(make()));
    }
    expect(() => accuracy().update(3, [0.2, 0.5, 0.3])).toThrow(/accuracy: yTrue must be a class label an integer in \[0, 3\), got 3/);
    expect(() => f1({ positive: 2 }).update(1, 0.7)).toThrow(/f1: the positive class 2 is not one of the 2 classes/);
    expect(() => f1({ positive: -1 })).toThrow(/positive/);
  });

  it('overflow is refused rather than turned into ∞', () => {
    for (const make of [mae, rmse, r2]) {
      const m = make();
      m.update(1, 2);
      const before = json(m);
      expect(() => m.update(1e308, -1e308)).toThrow(new RegExp(`${m.name}: .*overflow`));
      expect(json(m)).toBe(before);
    }
  });

  it('wrong types are TypeErrors', () => {
    expect(() => mae().update('1' as unknown as number, 1)).toThrow(TypeError);
    expect(() => accuracy().update(1, null as unknown as number)).toThrow(TypeError);
  });
});

describe('revert', () => {
  for (const { make, pairs, exact } of kinds) {
    it(`${make().name}: reverting pairs gives the metric of the pairs left`, () => {
      fc.assert(
        fc.property(pairs, pairs, (kept, removed) => {
          const m = feed(feed(make(), kept), removed);
          for (const [y, p] of [...removed].reverse()) m.revert(y, p);
          const fresh = feed(make(), kept);
          if (exact) {
            expect(json(m)).toBe(json(fresh));
            return;
          }
          // Reverting subtracts what was added: the error is relative to the largest pair seen,
          // not to what is left (River's running means share this).
          const all = [...kept, ...removed];
          const scale = Math.max(1, ...all.flatMap(([y, p]) => [Math.abs(y), Math.abs(p as number)]));
          const a = m.state() as Record<string, number>;
          const b = fresh.state() as Record<string, number>;
          expect(a['n']).toBe(b['n']);
          const name = fresh.name;
          const squared = name === 'rmse' || name === 'r2';
          if (name !== 'logLoss') expect(Math.abs(a['mean']! - b['mean']!)).toBeLessThanOrEqual(1e-9 * (squared ? 4 * scale * scale : 2 * scale));
          else expect(Math.abs(a['mean']! - b['mean']!)).toBeLessThanOrEqual(1e-9 * 35);
          if (name === 'r2') {
            expect(Math.abs(a['variance']! - b['variance']!)).toBeLessThanOrEqual(1e-9 * 4 * scale * scale);
            expect(Math.abs(a['rss']! - b['rss']!)).toBeLessThanOrEqual(1e-9 * 4 * scale * scale * all.length);
          }
        }),
        { numRuns: 50 },
      );
    });
  }

  it('reverting everything returns to the empty metric, and over-reverting is refused', () => {
    for (const make of [accuracy, () => f1(), () => rocAuc(), logLoss, mae, rmse, r2]) {
      const m = make();
      m.update(1, 0.75);
      m.revert(1, 0.75);
      expect(json(m)).toBe(json(make()));
      expect(() => m.revert(1, 0.75)).toThrow(new RegExp(`^${m.name}: (nothing to revert|cannot revert)`));
    }
    const a = feed(accuracy(), [[1, 0.9]]);
    expect(() => a.revert(1, 0.1)).toThrow(/accuracy: cannot revert a pair that was not counted/);
  });
});

describe('state and load', () => {
  for (const { make, pairs } of kinds) {
    it(`${make().name}: a JSON round trip mid-stream resumes exactly`, () => {
      fc.assert(
        fc.property(pairs, pairs, (first, rest) => {
          const whole = feed(feed(make(), first), rest);
          const resumed = make();
          resumed.load(JSON.parse(JSON.stringify(feed(make(), first).state())));
          feed(resumed, rest);
          expect(Object.is(resumed.get(), whole.get())).toBe(true);
          expect(json(resumed)).toBe(json(whole));
        }),
        { numRuns: 50 },
      );
    });
  }

  it('reset empties a metric', () => {
    for (const make of [accuracy, () => f1(), () => rocAuc(), logLoss, mae, rmse, r2]) {
      const m = feed(make(), [[1, 0.75], [0, 0.25]]);
      m.reset();
      expect(json(m)).toBe(json(make()));
      expect(m.get()).toBe(0);
    }
  });

  it('load refuses another metric, another configuration and malformed numbers, and keeps its state', () => {
    const m = feed(mae(), [[1, 2]]);
    const before = json(m);
    expect(() => m.load(rmse().state())).toThrow(/mae: cannot load state: it is the state of "rmse"/);
    expect(() => m.load({ metric: 'mae', n: -1, mean: 0 })).toThrow(/n must be a count/);
    expect(() => m.load({ metric: 'mae', n: 1, mean: null })).toThrow(/mean must be a finite number/);
    expect(() => m.load(null)).toThrow(/not an object/);
    expect(json(m)).toBe(before);
    expect(() => rocAuc({ thresholds: 20 }).load(rocAuc().state())).toThrow(/10 thresholds, this metric 20/);
    expect(() => f1({ positive: 0 }).load(f1().state())).toThrow(/counts class 1 as positive/);
    expect(() => accuracy().load({ metric: 'accuracy', n: 1, correct: 2 })).toThrow(/exceeds/);
    const auc = rocAuc().state();
    expect(() => rocAuc().load({ ...auc, tp: [1, 2, 0, 0, 0, 0, 0, 0, 0, 0], positives: 2 })).toThrow(/tp\[1\]/);
  });
});

describe('the TSDoc examples hold', () => {
  it('accuracy, f1, logLoss, rocAuc, mae, rmse, r2, rolling', () => {
    expect(feed(accuracy(), [[1, 0.9], [0, 0.5], [1, 0.2], [2, [0.1, 0.2, 0.7]]]).get()).toBe(0.75);
    expect(feed(f1(), [[1, 0.9], [0, 0.7], [1, 0.3], [0, 0.1]]).get()).toBe(0.5);
    expect(feed(logLoss(), [[1, 0.9], [0, 0.1], [1, 0.8], [1, 0.35]]).get()).toBe(0.37092167678213506);
    const regression: Pair[] = [[3, 2.5], [-0.5, 0], [2, 2], [7, 8]];
    expect(feed(mae(), regression).get()).toBe(0.5);
    expect(feed(rmse(), regression).get()).toBe(0.6123724356957945);
    expect(feed(r2(), regression).get()).toBeCloseTo(0.9486, 4);
    expect(feed(rolling(mae(), 2), [[1, 0], [2, 0], [3, 0]]).get()).toBe(2.5);
  });
});
