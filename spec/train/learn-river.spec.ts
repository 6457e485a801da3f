/**
 * River's linear models rebuilt from rxgrad's public pieces — a graph with a standardize node,
 * learn() with SGD and prequential metrics, readCsv — reproduce River's published progressive-
 * validation scores on the real streams in ../shared/data (skipped when that folder is absent).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { lastValueFrom } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  StandardScaler, accuracy, bceWithLogits, f1, input, learn, mae, matmul, mse, add, param, readCsv, rmse, rocAuc, sgd, sigmoid, standardize, tabular, zeros,
} from '../../src/index.js';

const dataDir = fileURLToPath(new URL('../../../shared/data/', import.meta.url));
const present = existsSync(dataDir);
if (!present) console.warn(`learn-river.spec: ${dataDir} is absent; River parity tests are skipped`);

/** River's `StandardScaler | LinearRegression/LogisticRegression` as an rxgrad graph. */
function linearModel(features: number) {
  const x = input([features]), y = input([1]);
  const w = param(zeros([features, 1]), { name: 'w' }), b = param(zeros([1]), { name: 'b' });
  const z = x.pipe(standardize(new StandardScaler()), matmul(w), add(b));
  return { x, y, w, b, z };
}

async function phishing(lr: number) {
  const names = ['empty_server_form_handler', 'popup_window', 'https', 'request_from_other_domain', 'anchor_from_other_domain', 'is_popular', 'long_url', 'age_of_domain', 'ip_in_url'];
  const { x, y, w, b, z } = linearModel(names.length);
  const rows = tabular(readCsv(`${dataDir}phishing.csv`, { columns: true, numeric: true }), { features: names, target: 'is_phishing' });
  const last = await lastValueFrom(
    rows.pipe(
      learn({
        inputs: [x, y], feed: (s) => [s.x, [s.y]], loss: bceWithLogits(z, y),
        // River: weights SGD(lr), intercept_lr 0.01 (constant).
        optimizer: sgd({ lr, groups: [{ params: [b], lr: 0.01 }] }),
        prediction: z.pipe(sigmoid()), target: (s) => s.y,
        metrics: { accuracy: accuracy(), f1: f1(), auc: rocAuc() },
      }),
    ),
  );
  void w;
  return last;
}

async function regression(file: string, features: string[], target: string) {
  const { x, y, b, z } = linearModel(features.length);
  const rows = tabular(readCsv(`${dataDir}${file}`, { columns: true, numeric: true }), { features, target });
  // River's squared loss gradient is 2(ŷ − y): exactly mse's with reduction 'sum' on one sample.
  return lastValueFrom(
    rows.pipe(
      learn({
        inputs: [x, y], feed: (s) => [s.x, [s.y]], loss: mse(z, y, { reduction: 'sum' }),
        optimizer: sgd({ lr: 0.01, groups: [{ params: [b], lr: 0.01 }] }),
        prediction: z, target: (s) => s.y, metrics: { mae: mae(), rmse: rmse() },
      }),
    ),
  );
}

describe.skipIf(!present)('learn() reproduces River on real streams', () => {
  it('Phishing, StandardScaler | LogisticRegression(SGD(0.005)): accuracy 0.8872, F1 0.871233', async () => {
    const last = await phishing(0.005);
    expect(last.tick).toBe(1249);
    expect(last.metrics.accuracy).toBeCloseTo(0.8872, 4);
    expect(Math.abs(last.metrics.f1! - 0.871233)).toBeLessThan(1e-5);
  });

  it('Phishing, River README default lr 0.01: accuracy 0.8928, ROCAUC 0.9507', async () => {
    const last = await phishing(0.01);
    expect(last.metrics.accuracy).toBeCloseTo(0.8928, 4);
    expect(Math.abs(last.metrics.auc! - 0.9507)).toBeLessThan(1e-4);
  });

  it('TrumpApproval, StandardScaler | LinearRegression: MAE 1.31455, RMSE 3.91198', async () => {
    const last = await regression('trump_approval.csv', ['ordinal_date', 'gallup', 'ipsos', 'morning_consult', 'rasmussen', 'you_gov'], 'five_thirty_eight');
    expect(Math.abs(last.metrics.mae! - 1.31455)).toBeLessThan(1e-5);
    expect(Math.abs(last.metrics.rmse! - 3.91198)).toBeLessThan(1e-5);
  });

  it('ChickWeights, StandardScaler | LinearRegression: MAE 23.7587, RMSE 37.0377', async () => {
    const last = await regression('chick-weights.csv', ['time', 'chick', 'diet'], 'weight');
    expect(Math.abs(last.metrics.mae! - 23.7587)).toBeLessThan(1e-4);
    expect(Math.abs(last.metrics.rmse! - 37.0377)).toBeLessThan(1e-4);
  });
});
