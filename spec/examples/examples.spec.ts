/**
 * Every example runs briefly here, through the `main` it exports, so that examples never rot: each
 * must print its progress and return results that show it learned something.
 */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { main as customOp } from '../../examples/custom-op.js';
import { main as demo } from '../../examples/demo.js';
import { main as regression } from '../../examples/online-regression.js';
import { PHISHING_CSV, RIVER_ACCURACY, RIVER_ROC_AUC, main as phishing } from '../../examples/phishing-stream.js';
import { main as xor } from '../../examples/xor.js';

/** A log that keeps the lines instead of printing them. */
function capture(): { lines: string[]; log: (line: string) => void } {
  const lines: string[] = [];
  return { lines, log: (line) => lines.push(line) };
}

const hasPhishing = existsSync(PHISHING_CSV);
if (!hasPhishing) console.warn(`examples.spec: ${PHISHING_CSV} is absent; the phishing-stream example is skipped`);

describe('examples', () => {
  it('xor: learns the truth table', async () => {
    const { lines, log } = capture();
    const r = await xor({ steps: 1000, log });
    expect(r.steps).toBe(1000);
    expect(r.correct).toBe(4);
    expect(r.loss).toBeLessThan(1e-3);
    expect(lines.filter((l) => l.startsWith('step'))).toHaveLength(10);
  });

  it('online-regression: beats the mean predictor by far on a short stream', async () => {
    const { lines, log } = capture();
    const r = await regression({ steps: 4000, log });
    expect(r.steps).toBe(4000);
    expect(r.rollingMae).toBeGreaterThan(r.noiseMae * 0.8);
    expect(r.rollingMae).toBeLessThan(r.baselineMae / 4);
    expect(lines.some((l) => l.includes('rolling MAE'))).toBe(true);
  });

  it.skipIf(!hasPhishing)('phishing-stream: the logistic model reproduces River; the MLP is as good', async () => {
    const { lines, log } = capture();
    const r = (await phishing({ log }))!;
    expect(r.logistic.rows).toBe(1250);
    expect(r.logistic.accuracy).toBeCloseTo(RIVER_ACCURACY, 4);
    expect(Math.abs(r.logistic.rocAuc - RIVER_ROC_AUC)).toBeLessThan(1e-4);
    expect(r.mlp.accuracy).toBeGreaterThan(0.87);
    expect(lines.some((l) => l.includes('River'))).toBe(true);
  });

  it('phishing-stream: a short run, and a clear message (not an error) without the data file', async () => {
    if (hasPhishing) {
      const r = (await phishing({ steps: 200, log: () => {} }))!;
      expect(r.logistic.rows).toBe(200);
      expect(r.mlp.rows).toBe(200);
    }
    const { lines, log } = capture();
    expect(await phishing({ path: '/nonexistent/phishing.csv', log })).toBeNull();
    expect(lines[0]).toMatch(/\/nonexistent\/phishing\.csv is not there/);
  });

  it('custom-op: the gradient checks pass, the planted bug is caught, the network learns', async () => {
    const { log } = capture();
    const r = await customOp({ steps: 2000, log });
    expect(r.gradcheckOk).toBe(true);
    expect(r.bugCaught).toBe(true);
    expect(r.steps).toBe(2000);
    expect(r.rollingAccuracy).toBeGreaterThan(0.9);
  });

  it('demo: learns the spirals on a shorter stream, with plain progress lines and a summary', async () => {
    const { lines, log } = capture();
    // 25,000 points take about 1.5 s; the full demo's 60,000 reach 0.999.
    const r = await demo({ steps: 25_000, log, progress: 'lines' });
    expect(r.samples).toBe(25_000);
    expect(r.samplesPerSecond).toBeGreaterThan(0);
    expect(r.rollingAccuracy).toBeGreaterThan(0.9);
    expect(r.rollingAccuracy).toBeLessThanOrEqual(1);
    expect(Number.isFinite(r.rollingLoss)).toBe(true);
    expect(lines.filter((l) => l.includes('points/s'))).toHaveLength(10);
    expect(lines.some((l) => l.startsWith('rolling accuracy'))).toBe(true);
  });
});
