/**
 * The benchmark suite (bench/, `npm run bench`) is not a test, but its code paths must not rot:
 * each workload runs here on a handful of samples, and the checks are the ones the suite relies
 * on to claim that every implementation computes the same maths.
 */
import { describe, expect, it } from 'vitest';
import { type Contender, formatTable, interleaved, median, speedRatio } from '../../bench/harness.js';
import { initLayers } from '../../bench/data.js';
import { w1Contenders, windowLoss } from '../../bench/w1.js';
import { w2Contenders } from '../../bench/w2.js';
import { runW3 } from '../../bench/w3.js';
import { DirectNet, directPlan, learnStepper, measureAllocation, tensorSamples, w4Contenders } from '../../bench/w4.js';
import { w5Available, w5Contenders } from '../../bench/w5.js';

async function runOnce(c: Contender): Promise<void> {
  await c.setup();
  await c.run();
  await c.after?.();
}

/** Largest |a[i] − b[i]| over the first n entries. */
function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>, n: number): number {
  let worst = 0;
  for (let i = 0; i < n; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}

describe('bench smoke', () => {
  it('W1: every implementation follows the reference trajectory and learns', async () => {
    const { reference, others } = w1Contenders({ samples: 10_000, slowSamples: 20, window: 10 });
    for (const c of [reference, ...others]) await runOnce(c);
    const [rx, brain, tfCpu, tfWasm] = others as [typeof reference, typeof reference, typeof reference, typeof reference];
    // float64 rows agree to rounding, float32 rows to float32 accuracy.
    expect(maxDiff(rx.losses, reference.losses, 10_000)).toBeLessThan(1e-12);
    expect(maxDiff(brain.losses, reference.losses, 10_000)).toBeLessThan(1e-6);
    expect(maxDiff(tfCpu.losses, reference.losses, 20)).toBeLessThan(1e-6);
    expect(maxDiff(tfWasm.losses, reference.losses, 20)).toBeLessThan(1e-6);
    // It learns: past the plateau at the target's variance, the loss falls more than threefold.
    expect(windowLoss(reference.losses, 10_000, 1000)).toBeLessThan(0.3 * windowLoss(reference.losses, 1000, 1000));
  });

  it('W2: rxgrad and tfjs follow the reference trajectory on mini-batches', async () => {
    const { reference, others } = w2Contenders({ batches: 4, slowBatches: 2, pool: 4 });
    for (const c of [reference, ...others]) await runOnce(c);
    const rxgrad = others.filter((c) => c.name.startsWith('rxgrad'));
    const [tfCpu, tfWasm] = others.filter((c) => c.name.startsWith('tfjs')) as [typeof reference, typeof reference];
    for (const rx of rxgrad) expect(maxDiff(rx.losses, reference.losses, 4)).toBeLessThan(1e-10);
    expect(maxDiff(tfCpu.losses, reference.losses, 2)).toBeLessThan(1e-4);
    expect(maxDiff(tfWasm.losses, reference.losses, 2)).toBeLessThan(1e-4);
    expect(reference.losses[3]!).toBeLessThan(reference.losses[0]!);
  });

  it('W3: every matmul agrees with the blocked reference and has a rate', async () => {
    // runW3 throws when a product disagrees with the first (the blocked reference).
    const rows = await runW3({ sizes: [20], time: 1, iterations: 1 });
    expect(rows.length).toBeGreaterThanOrEqual(5);
    for (const r of rows) expect(r.value).toBeGreaterThan(0);
    expect(rows[0]!.ratio).toBe(1);
  });

  it('W4: the direct ops compute what learn computes; contenders run; the allocation child reports', async () => {
    const init = initLayers([2, 16, 16, 1], 3);
    const samples = tensorSamples(30);
    // directPlan throws if the direct path's op list differs from the engine's schedule.
    const plan = directPlan(init);
    expect(plan.ops).toBe({ dense: 4, affine: 7, none: 10 }[plan.fusion]);
    const nets = (['plans', 'arenas', 'fresh'] as const).flatMap((storage) => (['dense', 'affine', 'none'] as const).map((fusion) => new DirectNet(init, 0.3, { storage, fusion })));
    const graph = learnStepper(init, 0.3);
    for (const s of samples) {
      const losses = nets.map((n) => n.step(s.x, s.y));
      graph.step(s);
      for (const l of losses) expect(l).toBe(losses[0]);
      expect(Math.abs(graph.losses() - losses[0]!)).toBeLessThan(1e-14);
    }
    graph.close();
    const { contenders, losses } = w4Contenders([2, 16, 1], 50, 0.3);
    for (const c of contenders) await runOnce(c);
    const reference = losses.get('learn')!();
    for (const [, loss] of losses) expect(Math.abs(loss() - reference)).toBeLessThan(1e-12);
    const a = measureAllocation('learn', '2-16-1', 200, 100);
    expect(a.ticks).toBe(200);
    expect(Number.isFinite(a.heapBytesPerTick) && Number.isFinite(a.arrayBufferBytesPerTick)).toBe(true);
    expect(a.tensorObjectBytes).toBeGreaterThan(0);
  });

  it.skipIf(!w5Available())('W5: rxgrad (in memory, one model over the passes, end to end) and the reference score the same on Phishing (one pass)', async () => {
    const { reference, others } = await w5Contenders(1);
    for (const c of [reference, ...others]) await runOnce(c);
    expect(reference.result.accuracy).toBeGreaterThan(0.85);
    for (const c of others) {
      expect(c.result.accuracy).toBe(reference.result.accuracy);
      expect(Math.abs(c.result.meanLoss - reference.result.meanLoss)).toBeLessThan(1e-10);
    }
  });

  it('harness: interleaved rounds, per-round ratios, a table', async () => {
    const order: string[] = [];
    const make = (name: string, spin: number): Contender => ({
      name, samples: spin, setup: () => void order.push(`${name}:setup`), run: () => {
        let s = 0;
        for (let i = 0; i < spin; i++) s += Math.sqrt(i);
        if (s < 0) throw new Error('unreachable');
        order.push(name);
      },
    });
    const times = await interleaved([make('a', 1e4), make('b', 2e4)], { warmup: 1, rounds: 2 });
    expect(order).toEqual(['a:setup', 'a', 'b:setup', 'b', 'a:setup', 'a', 'b:setup', 'b', 'a:setup', 'a', 'b:setup', 'b']);
    expect(times.get('a')).toHaveLength(2);
    expect(speedRatio(times, 'a', 1e4, 'a', 1e4)).toBe(1);
    expect(median([3, 1, 2])).toBe(2);
    const table = formatTable([{ workload: 'W0', implementation: 'a', value: 1234, unit: 'samples/s', ratio: 1, against: 'a', loss: 0.5, final: 0.25, rounds: [] }]);
    expect(table).toContain('W0');
    expect(table).toContain('1.2 k');
  });
});
