/**
 * The data and metric pieces together reproduce River's published progressive-validation scores
 * (REFERENCE §4.6, shared/data/README.md) on the real data sets, with River's models written out as
 * plain loops (REFERENCE §4.3): readCsv → tabular → StandardScaler → model → metrics.
 *
 * Progressive validation, per row in file order: predict (the scaler is NOT updated for this row),
 * update the metrics, then learn (update the scaler, transform with the new statistics, SGD step).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { lastValueFrom, reduce } from 'rxjs';
import { readCsv, tabular, type Sample } from '../../src/data/index.js';
import { StandardScaler } from '../../src/train/scaler.js';
import { type Metric, accuracy, f1, mae, rmse, rocAuc, r2 } from '../../src/train/metrics/index.js';

const DATA = fileURLToPath(new URL('../../../shared/data/', import.meta.url));
const present = existsSync(`${DATA}phishing.csv`) && existsSync(`${DATA}trump_approval.csv`) && existsSync(`${DATA}chick-weights.csv`);
if (!present) console.warn(`river-parity: skipped, the shared data sets are not at ${DATA}`);

/** River's `utils.math.sigmoid`: clamped to 0 / 1 beyond ±30. */
function sigmoid(z: number): number {
  if (z < -30) return 0;
  if (z > 30) return 1;
  return 1 / (1 + Math.exp(-z));
}

/** River's `optim.losses.Log.gradient` for a label in {0, 1}. */
function logGradient(y: number, z: number): number {
  const s = y * 2 - 1;
  const m = z * s;
  if (m > 18) return Math.exp(-m) * -s;
  if (m < -18) return -s;
  return -s / (Math.exp(m) + 1);
}

/** River's GLM: weights and intercept from 0, raw prediction w·x + b. */
class Glm {
  readonly w: Float64Array;
  b = 0;
  constructor(
    features: number,
    private readonly lr: number,
    private readonly interceptLr = 0.01,
    private readonly clip = 1e12,
  ) {
    this.w = new Float64Array(features);
  }
  raw(x: Float64Array): number {
    let z = 0;
    for (let i = 0; i < x.length; i++) z += this.w[i]! * x[i]!;
    return z + this.b;
  }
  /** One `_fit` step from the loss gradient at the pre-update weights: intercept first, same ℓ'. */
  fit(x: Float64Array, lossGradient: number): void {
    const g = Math.min(Math.max(lossGradient, -this.clip), this.clip);
    this.b -= this.interceptLr * g;
    for (let i = 0; i < x.length; i++) this.w[i]! -= this.lr * (g * x[i]!);
  }
}

function samples(file: string, features: string[], target: string) {
  return tabular(readCsv(`${DATA}${file}`, { columns: true, numeric: true }), { features, target });
}

async function collect(file: string, features: string[], target: string): Promise<Sample[]> {
  return lastValueFrom(samples(file, features, target).pipe(reduce((all: Sample[], s) => (all.push(s), all), [])));
}

/**
 * `StandardScaler | LogisticRegression(SGD(lr))` under progressive validation. `learnDuringPredict`
 * is older River's pipeline (`compose.learn_during_predict`), which updated the scaler in predict.
 */
async function logisticRegression(
  lr: number,
  metrics: { labels: Metric[]; probabilities: Metric[] },
  options: { learnDuringPredict?: boolean; every?: (n: number) => void } = {},
): Promise<number> {
  const features = ['empty_server_form_handler', 'popup_window', 'https', 'request_from_other_domain', 'anchor_from_other_domain', 'is_popular', 'long_url', 'age_of_domain', 'ip_in_url'];
  const scaler = new StandardScaler();
  const model = new Glm(features.length, lr);
  let n = 0;
  await lastValueFrom(
    samples('phishing.csv', features, 'is_phishing').pipe(
      reduce((_, { x, y }) => {
        if (options.learnDuringPredict) scaler.learn(x);
        const p = sigmoid(model.raw(scaler.transform(x)));
        for (const m of metrics.labels) m.update(y, p);
        for (const m of metrics.probabilities) m.update(y, p);
        if (!options.learnDuringPredict) scaler.learn(x);
        const xt = scaler.transform(x);
        model.fit(xt, logGradient(y, model.raw(xt)));
        n += 1; // NOTE: not inside `every?.(…)`, whose arguments are skipped when it is absent
        options.every?.(n);
        return n;
      }, 0),
    ),
  );
  return n;
}

/** `StandardScaler | LinearRegression()` under progressive validation. */
async function linearRegression(file: string, features: string[], target: string, metrics: Metric[]): Promise<number> {
  const data = await collect(file, features, target);
  const scaler = new StandardScaler();
  const model = new Glm(features.length, 0.01);
  for (const { x, y } of data) {
    const yHat = model.raw(scaler.transform(x));
    for (const m of metrics) m.update(y, yHat);
    scaler.learn(x);
    const xt = scaler.transform(x);
    model.fit(xt, 2 * (model.raw(xt) - y));
  }
  return data.length;
}

describe.skipIf(!present)('River parity on the shared data sets', () => {
  it('Phishing, StandardScaler | LogisticRegression(SGD(0.005)): accuracy 0.8872, F1 0.871233', async () => {
    const acc = accuracy();
    const f = f1();
    const n = await logisticRegression(0.005, { labels: [acc, f], probabilities: [] });
    expect(n).toBe(1250);
    console.log(`phishing lr 0.005: accuracy ${acc.get()}, F1 ${f.get()}`);
    expect(Math.abs(acc.get() - 0.8872)).toBeLessThan(1e-4);
    expect(Math.abs(f.get() - 0.871233)).toBeLessThan(1e-5);
    expect(acc.get()).toBe(1109 / 1250);
  });

  it('Phishing, StandardScaler | LogisticRegression() (lr 0.01): accuracy 0.8928, ROCAUC 0.9507 (90.20% at row 200)', async () => {
    const acc = accuracy();
    const auc = rocAuc();
    let at200 = NaN;
    await logisticRegression(0.01, { labels: [acc], probabilities: [auc] }, { every: (n) => n === 200 && (at200 = auc.get()) });
    console.log(`phishing lr 0.01: accuracy ${acc.get()}, ROCAUC ${auc.get()} (row 200: ${at200})`);
    expect(Math.abs(acc.get() - 0.8928)).toBeLessThan(1e-4);
    expect(Math.abs(auc.get() - 0.9507)).toBeLessThan(1e-4);
    expect(at200.toFixed(4)).toBe('0.9020'); // the docstring's "[200] ROCAUC: 90.20%"
  });

  it('Phishing with older River\'s learn-during-predict scaler: the older table\'s 0.888 and F1 0.872263', async () => {
    const acc = accuracy();
    const f = f1();
    await logisticRegression(0.005, { labels: [acc, f], probabilities: [] }, { learnDuringPredict: true });
    console.log(`phishing lr 0.005, learn during predict: accuracy ${acc.get()}, F1 ${f.get()}`);
    expect(acc.get()).toBe(0.888);
    expect(Math.abs(f.get() - 0.872263)).toBeLessThan(1e-6);
  });

  it('TrumpApproval, StandardScaler | LinearRegression(): MAE 1.31455, RMSE 3.91198', async () => {
    const [e, s, q] = [mae(), rmse(), r2()];
    const n = await linearRegression('trump_approval.csv', ['ordinal_date', 'gallup', 'ipsos', 'morning_consult', 'rasmussen', 'you_gov'], 'five_thirty_eight', [e, s, q]);
    expect(n).toBe(1001);
    console.log(`trump_approval: MAE ${e.get()}, RMSE ${s.get()}, R2 ${q.get()}`);
    expect(Math.abs(e.get() - 1.31455)).toBeLessThan(1e-5);
    expect(Math.abs(s.get() - 3.91198)).toBeLessThan(1e-5);
    expect(q.get()).toBeCloseTo(-4.23, 2); // the benchmark table's R2, printed to two decimals
  });

  it('ChickWeights, StandardScaler | LinearRegression(): MAE 23.7587, RMSE 37.0377, R2 0.727954', async () => {
    const [e, s, q] = [mae(), rmse(), r2()];
    const n = await linearRegression('chick-weights.csv', ['time', 'chick', 'diet'], 'weight', [e, s, q]);
    expect(n).toBe(578);
    console.log(`chick-weights: MAE ${e.get()}, RMSE ${s.get()}, R2 ${q.get()}`);
    expect(Math.abs(e.get() - 23.7587)).toBeLessThan(1e-4);
    expect(Math.abs(s.get() - 37.0377)).toBeLessThan(1e-4);
    expect(Math.abs(q.get() - 0.727954)).toBeLessThan(1e-6);
  });
});
