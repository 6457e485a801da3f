/**
 * The measuring method shared by the workloads.
 *
 * Training workloads (W1, W2, W4, W5) run in interleaved rounds: each round runs every
 * implementation once (A B C … then again), each from a fresh model built in an untimed setup.
 * Warm-up rounds (the JIT's) are discarded; the reported rate is the median over the measured
 * rounds, and the ratio to the reference is computed per round, from runs made seconds apart,
 * and then medianed, since absolute figures drift on these shared machines. Each round is one
 * tinybench `Bench` with one iteration per task, so tinybench does the timing (hooks for setup and
 * read-back, `performance.now` around the task only).
 */
import { Bench } from 'tinybench';

/** One implementation of a training workload. */
export interface Contender {
  /** The row's name in the table. */
  readonly name: string;
  /** Samples (or units of work) one run processes: rate = samples / seconds. */
  readonly samples: number;
  /** Untimed: build a fresh model (and per-run data) before each run. */
  setup(): void | Promise<void>;
  /** Timed: one run. */
  run(): void | Promise<void>;
  /** Untimed, after each run: check and keep what the run learned. */
  after?(): void | Promise<void>;
}

/** A training contender that also reports its loss per sample (W1) or per batch (W2). */
export interface Learner extends Contender {
  readonly losses: Float64Array;
}

export interface RoundOptions {
  /** Discarded rounds first (default 2). */
  warmup: number;
  /** Measured rounds (default 5). */
  rounds: number;
  /** Called after each round, with the round's index (negative for warm-up). */
  progress?: (round: number) => void;
}

const gc = (globalThis as { gc?: (options?: { type: 'minor' | 'major' }) => void }).gc;
/**
 * Clears the previous contender's young garbage before a run (untimed), so that it is not charged
 * to the next one. A minor collection only: a full gc() right before a run makes that run 1.5–2.5×
 * slower for allocating code and ~1.5× for the hand-written loops (measured on W5: 10.6 against
 * 4.3 µs/sample for rxgrad, 2.9 against 2.0 for the reference; the runs after it are fast again)
 * — a transient after the collection, not the steady state a long stream sees.
 */
const collect = gc === undefined ? undefined : () => gc({ type: 'minor' });

/** Seconds per run, per contender and measured round. */
export type RoundTimes = Map<string, number[]>;

/** Runs the contenders in interleaved rounds and returns their run times in seconds. */
export async function interleaved(contenders: readonly Contender[], options: RoundOptions): Promise<RoundTimes> {
  const times: RoundTimes = new Map(contenders.map((c) => [c.name, []]));
  for (let round = -options.warmup; round < options.rounds; round++) {
    const bench = new Bench({ iterations: 1, time: 0, warmup: false, throws: true });
    for (const c of contenders) {
      // An async function, so that tinybench does not call it once to detect whether it is (an
      // untimed extra run before the setup); awaiting a settled promise costs microseconds.
      bench.add(c.name, async () => c.run(), {
        async: true,
        beforeEach: () => {
          // Collect the previous contender's garbage now, untimed, so that it is not charged to
          // this one (needs --expose-gc, which `npm run bench` passes).
          collect?.();
          return c.setup();
        },
        afterEach: () => c.after?.(),
      });
    }
    await bench.run();
    if (round >= 0) {
      for (const task of bench.tasks) {
        const r = task.result;
        if (r.state !== 'completed') throw new Error(`${task.name}: ${r.state}${'error' in r ? `: ${r.error.message}` : ''}`);
        times.get(task.name)!.push(r.latency.mean / 1000);
      }
    }
    options.progress?.(round);
  }
  return times;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 === 1 ? s[h]! : (s[h - 1]! + s[h]!) / 2;
}

/** Median over rounds of (reference time per unit / contender time per unit): its speed relative to the reference. */
export function speedRatio(times: RoundTimes, name: string, units: number, reference: string, referenceUnits: number): number {
  const mine = times.get(name)!, ref = times.get(reference)!;
  return median(mine.map((t, r) => ref[r]! / referenceUnits / (t / units)));
}

/** One line of the results table (and of the JSON). */
export interface Row {
  workload: string;
  implementation: string;
  /** Median over rounds. */
  value: number;
  unit: 'samples/s' | 'GFLOP/s' | 'ns/op/tick' | 'µs/sample' | 'ns/tick' | 'bytes/tick';
  /** Speed relative to the workload's reference (per-round ratios, medianed); null for the reference-less rows. */
  ratio: number | null;
  /** Name of what `ratio` compares against. */
  against: string | null;
  /** Mean loss over a window common to every row of the workload (the same-maths check). */
  loss: number | null;
  /** Mean loss (or accuracy, for W5) at the end of this row's own run. */
  final: number | null;
  /** Per-round values (the medians' inputs). */
  rounds: number[];
  note?: string;
}

function fmtValue(row: Row): string {
  const v = row.value;
  if (!Number.isFinite(v)) return 'n/a';
  if (row.unit === 'samples/s') return v >= 1e6 ? `${(v / 1e6).toFixed(2)} M` : v >= 1e3 ? `${(v / 1e3).toFixed(1)} k` : v.toFixed(0);
  if (row.unit === 'GFLOP/s') return v.toFixed(2);
  if (row.unit === 'bytes/tick') return v.toFixed(0);
  return v >= 100 ? v.toFixed(0) : v.toFixed(2);
}

function fmtNum(v: number | null): string {
  if (v === null || Number.isNaN(v)) return '';
  return Math.abs(v) >= 1e-3 && Math.abs(v) < 1e4 ? v.toFixed(6) : v.toExponential(4);
}

/** The table as text: workload, implementation, rate, ratio vs reference, losses. */
export function formatTable(rows: readonly Row[]): string {
  const head = ['workload', 'implementation', 'value', 'unit', 'ratio', 'vs', 'loss (common)', 'final', 'note'];
  const body = rows.map((r) => [
    r.workload, r.implementation, fmtValue(r), r.unit, r.ratio === null ? '' : `${r.ratio.toFixed(r.ratio >= 10 ? 1 : 3)}×`,
    r.against ?? '', fmtNum(r.loss), fmtNum(r.final), r.note ?? '',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 2 || i === 4 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}
