/**
 * rxgrad's benchmark suite (`npm run bench`): W1–W5 against a hand-written plain-JS reference and
 * the peers (TensorFlow.js cpu and wasm, brain.js), measured side by side in one run. Prints a
 * table and the targets, and writes bench/results/bench.json.
 *
 *   npx tsx --expose-gc bench/index.ts [--only=w1,w2,w3,w4,w5] [--rounds=5] [--warmup=2] [--quick]
 *
 * Method (bench/harness.ts): interleaved rounds, warm-up rounds discarded, medians over the
 * measured rounds, ratios to the reference computed per round and then medianed. Absolute figures
 * drift on shared machines; the ratios are the comparable numbers.
 *
 * Each workload runs in a process of its own (this script again, with `--only=<w> --child`), and
 * the parent merges their results: run after W1–W4 in one process, W5's figures came out 1.5–1.9×
 * slower for every contender alike (a large heap, tfjs's worker threads) — ratios unchanged, but
 * W5's target is absolute.
 */
import { execSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname } from 'node:path';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { type Learner, type Row, formatTable, interleaved, median, speedRatio } from './harness.js';
import { BRAIN_VERSION } from './peers/brain.js';
import { TFJS_VERSION, wasmFeatures } from './peers/tfjs.js';
import { W1_LR, w1Contenders, windowLoss } from './w1.js';
import { W2_BATCH, W2_LR, w2Contenders } from './w2.js';
import { runW3 } from './w3.js';
import { runW4 } from './w4.js';
import { PHISHING_CSV, w5Available, w5Contenders } from './w5.js';
import { join } from 'node:path';
import { REPO_ROOT } from './paths.js';

const { values: args } = parseArgs({
  options: {
    only: { type: 'string', default: 'w1,w2,w3,w4,w5' },
    rounds: { type: 'string', default: '5' },
    warmup: { type: 'string', default: '2' },
    quick: { type: 'boolean', default: false },
    child: { type: 'boolean', default: false },
    out: { type: 'string', default: join(REPO_ROOT, 'bench', 'results', 'bench.json') },
  },
});
const only = new Set(args.only.split(',').map((s) => s.trim().toLowerCase()));
const rounds = Number(args.rounds), warmup = Number(args.warmup), quick = args.quick;
const log = (line: string) => console.log(line);

/** Full-size settings, and a quick variant for trying the suite out. */
const config = {
  w1: quick ? { samples: 20_000, slowSamples: 500, window: 200 } : { samples: 200_000, slowSamples: 4_000, window: 1_000 },
  w2: quick ? { batches: 20, slowBatches: 10, pool: 20, window: 5 } : { batches: 100, slowBatches: 50, pool: 64, window: 10 },
  w3: quick ? { sizes: [64, 256], time: 100, iterations: 2 } : { sizes: [64, 256, 512], time: 300, iterations: 3 },
  w4: quick
    ? { ticks: { '2-16-1': 10_000, '2-16-16-16-1': 5_000 }, allocTicks: 1_000, gcTicks: 10_000 }
    : { ticks: { '2-16-1': 50_000, '2-16-16-16-1': 20_000 }, allocTicks: 2_000, gcTicks: 50_000 },
  w5: { passes: quick ? 2 : 16 },
};

const rows: Row[] = [];
/** Seconds each workload took (the whole run should stay under about five minutes on 2 cores). */
const durations: Record<string, number> = {};
let mark = performance.now();
function lap(name: string): void {
  const now = performance.now();
  durations[name] = Math.round((now - mark) / 100) / 10;
  mark = now;
}
const targets: { target: string; value: string; met: boolean }[] = [];
const extra: Record<string, unknown> = {};
const started = performance.now();

const ORDER = ['w1', 'w2', 'w3', 'w4', 'w5'];
if (!args.child && ORDER.filter((w) => only.has(w)).length > 1) {
  // One process per workload (see the header); the parent only merges and prints.
  const merged: { rows: Row[]; targets: typeof targets; durations: Record<string, number>; extra: Record<string, unknown> } = { rows: [], targets: [], durations: {}, extra: {} };
  for (const w of ORDER.filter((x) => only.has(x))) {
    const out = join(tmpdir(), `rxgrad-bench-${process.pid}-${w}.json`);
    const childArgs = [...process.execArgv, fileURLToPath(import.meta.url), `--only=${w}`, `--rounds=${rounds}`, `--warmup=${warmup}`, '--child', `--out=${out}`, ...(quick ? ['--quick'] : [])];
    const r = spawnSync(process.execPath, childArgs, { stdio: 'inherit' });
    if (r.status !== 0) throw new Error(`bench: workload ${w} failed (exit ${r.status})`);
    const part = JSON.parse(readFileSync(out, 'utf8')) as { rows: Row[]; targets: typeof targets; durations: Record<string, number> } & Record<string, unknown>;
    merged.rows.push(...part.rows);
    merged.targets.push(...part.targets);
    merged.durations[w] = part.durations[w] ?? 0;
    for (const key of ['allocation', 'allocationSites', 'tfjsWasm']) if (part[key] !== undefined) merged.extra[key] = part[key];
  }
  rows.push(...merged.rows);
  targets.push(...merged.targets);
  Object.assign(durations, merged.durations);
  Object.assign(extra, merged.extra);
} else {
  await runWorkloads();
}

/** Rows for a training workload measured in interleaved rounds (W1, W2). */
async function trainingWorkload(
  workload: string, reference: Learner, others: Learner[], slow: Set<string>, common: number, window: number, unitsPerLoss: number,
): Promise<Map<string, number[]>> {
  const all = [reference, ...others];
  const times = await interleaved(all, { warmup, rounds, progress: (r) => log(`  ${workload} round ${r < 0 ? `warm-up ${r + warmup + 1}` : r + 1} done`) });
  for (const c of all) {
    const rates = times.get(c.name)!.map((t) => c.samples / t);
    rows.push({
      workload, implementation: c.name, value: median(rates), unit: 'samples/s',
      ratio: speedRatio(times, c.name, c.samples, reference.name, reference.samples), against: 'hand-written',
      loss: windowLoss(c.losses, common, window), final: windowLoss(c.losses, c.losses.length, window), rounds: rates,
      note: `${c.samples / unitsPerLoss} ${unitsPerLoss === 1 ? 'samples' : 'batches'}/run${slow.has(c.name) ? ' (slow peer: fewer)' : ''}`,
    });
  }
  return times;
}

async function runWorkloads(): Promise<void> {
if (only.has('w1')) {
  log(`W1: online SGD, batch 1, MLP 2-16-1 sigmoid, MSE, lr ${W1_LR}`);
  const o = config.w1;
  const { reference, others, slow } = w1Contenders(o);
  const times = await trainingWorkload('W1', reference, others, slow, o.slowSamples, o.window, 1);
  const rx = others[0]!, tfCpu = others.find((c) => c.name.startsWith('tfjs-cpu'))!;
  const vsRef = speedRatio(times, rx.name, rx.samples, reference.name, reference.samples);
  const vsTf = speedRatio(times, rx.name, rx.samples, tfCpu.name, tfCpu.samples);
  targets.push({ target: 'W1 rxgrad learn ≥ 0.5× hand-written', value: `${vsRef.toFixed(3)}×`, met: vsRef >= 0.5 });
  targets.push({ target: 'W1 rxgrad learn ≥ 50× tfjs-cpu', value: `${vsTf.toFixed(1)}×`, met: vsTf >= 50 });
}

lap('w1');
if (only.has('w2')) {
  log(`W2: SGD, batch ${W2_BATCH}, MLP 784-128-10 relu, softmax cross-entropy, lr ${W2_LR}`);
  const o = config.w2;
  const { reference, others, slow } = w2Contenders(o);
  const times = await trainingWorkload('W2', reference, others, slow, o.slowBatches, o.window, W2_BATCH);
  for (const rx of others.filter((c) => c.name.startsWith('rxgrad'))) {
    const vsRef = speedRatio(times, rx.name, rx.samples, reference.name, reference.samples);
    targets.push({ target: `W2 ${rx.name} ≥ 1.0× hand-written`, value: `${vsRef.toFixed(3)}×`, met: vsRef >= 1 });
  }
}

lap('w2');
if (only.has('w3')) {
  log('W3: matmul GFLOP/s');
  rows.push(...(await runW3(config.w3, log)));
}

lap('w3');
if (only.has('w4')) {
  log('W4: graph overhead per op per tick, and allocation per tick');
  const { rows: w4, alloc, sites } = await runW4({ ...config.w4, warmup, rounds }, log);
  rows.push(...w4);
  extra['allocation'] = alloc;
  extra['allocationSites'] = sites;
  for (const r of w4) {
    if (r.implementation === 'overhead: learn − direct ops, plans') {
      targets.push({ target: `${r.workload} graph overhead < 100 ns/op/tick (ops as scheduled)`, value: `${r.value.toFixed(1)} ns`, met: r.value < 100 });
    }
    if (r.implementation === 'overhead: learn − direct ops, plans, per op as written') {
      targets.push({ target: `${r.workload} graph overhead < 100 ns/op/tick (ops as written)`, value: `${r.value.toFixed(1)} ns`, met: r.value < 100 });
    }
  }
  type Alloc = { variant: string; net: string; heapBytesPerTick: number; arrayBufferBytesPerTick: number; tensorObjectBytes: number; opOutputsPerTick: number };
  for (const a of alloc as Alloc[]) {
    if (a.variant !== 'learn') continue;
    // The target: nothing beyond each op's output tensor(s); with recycled storage that is one
    // Tensor object per forward output and per gradient a backward returns.
    const budget = a.opOutputsPerTick * a.tensorObjectBytes;
    const total = a.heapBytesPerTick + a.arrayBufferBytesPerTick;
    targets.push({
      target: `W4 ${a.net} learn allocates ≤ the ops' output tensors (${a.opOutputsPerTick} × ${a.tensorObjectBytes.toFixed(0)} B = ${budget.toFixed(0)} B/tick)`,
      value: `${total.toFixed(0)} B/tick`, met: total <= budget,
    });
  }
}

lap('w4');
if (only.has('w5')) {
  if (!w5Available()) {
    log(`W5: skipped: ${PHISHING_CSV} is absent (River's Phishing CSV; put it there to run W5).`);
  } else {
    log('W5: prequential learning on Phishing (standardize + MLP 9-16-1 + sigmoid prediction + accuracy)');
    const { reference, others } = await w5Contenders(config.w5.passes);
    const all = [reference, ...others];
    const times = await interleaved(all, { warmup, rounds, progress: (r) => log(`  W5 round ${r < 0 ? `warm-up ${r + warmup + 1}` : r + 1} done`) });
    for (const c of all) {
      const us = times.get(c.name)!.map((t) => (t / c.samples) * 1e6);
      rows.push({
        workload: 'W5', implementation: c.name, value: median(us), unit: 'µs/sample',
        ratio: speedRatio(times, c.name, c.samples, reference.name, reference.samples), against: 'hand-written',
        loss: c.result.meanLoss, final: null, rounds: us, note: `accuracy ${c.result.accuracy.toFixed(4)}, ${c.samples} samples/run`,
      });
    }
    const inMemory = rows.find((r) => r.workload === 'W5' && r.implementation === others[0]!.name)!;
    targets.push({ target: 'W5 rxgrad learn (rows in memory) < 2 µs/sample', value: `${inMemory.value.toFixed(2)} µs`, met: inMemory.value < 2 });
  }
}

lap('w5');
if (only.has('w1') || only.has('w2') || only.has('w3')) extra['tfjsWasm'] = wasmFeatures();
}

const seconds = (performance.now() - started) / 1000;
if (!args.child) {
  log('');
  log(formatTable(rows));
  log('');
  log('Targets (ratios from this run):');
  for (const t of targets) log(`  ${t.met ? 'met ' : 'MISS'}  ${t.target}: ${t.value}`);
  log(`\n${rows.length} rows in ${seconds.toFixed(0)} s (${Object.entries(durations).filter(([k]) => only.has(k)).map(([k, v]) => `${k} ${v.toFixed(0)} s`).join(', ')})`);
}

function git(cmd: string): string {
  try {
    return execSync(`git ${cmd}`, { encoding: 'utf8', cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return 'unknown';
  }
}

const pkg = (path: string) => (JSON.parse(readFileSync(join(REPO_ROOT, 'bench', path), 'utf8')) as { version: string }).version;
const result = {
  date: new Date().toISOString(),
  machine: { node: process.version, cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, loadavgAtEnd: loadavg() },
  versions: {
    rxgrad: `${pkg('../package.json')} @ ${git('rev-parse --short HEAD')}${git('status --porcelain src') === '' ? '' : ' + uncommitted changes in src/'}`,
    tfjs: TFJS_VERSION, brain: BRAIN_VERSION, tinybench: pkg('../node_modules/tinybench/package.json'),
  },
  method: { rounds, warmup, quick, interleaved: true, statistic: 'median over rounds; ratio per round, then median' },
  config,
  seconds,
  durations,
  targets,
  rows,
  ...extra,
};
mkdirSync(dirname(args.out), { recursive: true });
writeFileSync(args.out, `${JSON.stringify(result, null, 2)}\n`);
if (!args.child) log(`wrote ${args.out}`);
