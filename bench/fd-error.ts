/**
 * Measures the error of the finite-difference estimators the gradient checker can use, against
 * exact derivatives, for float64 storage and for float32 storage (inputs and outputs rounded to
 * float32, differences taken in float64 — what `gradcheck` does for a float32 op).
 *
 *   npx tsx bench/fd-error.ts
 *
 * The numbers printed here are the ones quoted in src/testing/options.ts and src/testing/README.md.
 */

type Storage = 'float64' | 'float32';
type Fn = { name: string; f: (x: number) => number; df: (x: number) => number; at: number[]; sweep: [number, number] };

const EPS: Record<Storage, number> = { float64: 2 ** -52, float32: 2 ** -23 };

const sigmoid = (x: number): number => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));

// Softmax cross-entropy of logits z = [x, 0.3, -1.2, 2.0, 0.7] with label 3, as a function of z₀ = x.
const rest = [0.3, -1.2, 2.0, 0.7];
const label = 3;
function ce(x: number): number {
  const z = [x, ...rest];
  const m = Math.max(...z);
  let s = 0;
  for (const v of z) s += Math.exp(v - m);
  return m + Math.log(s) - z[label]!;
}
function dce(x: number): number {
  const z = [x, ...rest];
  const m = Math.max(...z);
  let s = 0;
  for (const v of z) s += Math.exp(v - m);
  return Math.exp(x - m) / s;
}

const fns: Fn[] = [
  { name: 'exp', f: Math.exp, df: Math.exp, at: [1, 5], sweep: [-9, 9] },
  { name: 'sin', f: Math.sin, df: Math.cos, at: [1, 10], sweep: [-9, 9] },
  { name: 'tanh', f: Math.tanh, df: (x) => 1 - Math.tanh(x) ** 2, at: [0.5, 3], sweep: [-9, 9] },
  { name: 'sigmoid', f: sigmoid, df: (x) => sigmoid(x) * (1 - sigmoid(x)), at: [2, -8], sweep: [-9, 9] },
  { name: 'x³', f: (x) => x * x * x, df: (x) => 3 * x * x, at: [100, 1000], sweep: [-1000, 1000] },
  { name: 'log', f: Math.log, df: (x) => 1 / x, at: [1e-3, 1e-2, 0.1], sweep: [0.01, 9] },
  { name: 'softmax-CE', f: ce, df: dce, at: [0.5, 4], sweep: [-9, 9] },
];

/** The function as an op with this storage computes it: inputs and output rounded to the dtype. */
function stored(f: (x: number) => number, storage: Storage): (x: number) => number {
  return storage === 'float64' ? f : (x) => Math.fround(f(x));
}
const round = (x: number, storage: Storage): number => (storage === 'float64' ? x : Math.fround(x));

/** Central difference with the displacement actually representable in the storage dtype as divisor. */
function central(f: (x: number) => number, x: number, h: number, s: Storage): number {
  const xp = round(x + h, s), xm = round(x - h, s);
  return (f(xp) - f(xm)) / (xp - xm);
}
/** 5-point stencil = Richardson extrapolation of central differences at k and 2k. */
function fivePoint(f: (x: number) => number, x: number, k: number, s: Storage): number {
  return (4 * central(f, x, k, s) - central(f, x, 2 * k, s)) / 3;
}
/** Central at h, refined on demand by Richardson with h/2: what gradcheck does on a mismatch. */
function refined(f: (x: number) => number, x: number, h: number, s: Storage): number {
  return (4 * central(f, x, h / 2, s) - central(f, x, h, s)) / 3;
}

type Method = { name: string; d: (f: (x: number) => number, x: number, s: Storage) => number };
const scale = (x: number): number => Math.max(1, Math.abs(x));
const methods: Method[] = [
  { name: 'central h=1e-6 (PyTorch)', d: (f, x, s) => central(f, x, 1e-6, s) },
  { name: 'central h=∛ε64·max(1,|x|)', d: (f, x, s) => central(f, x, Math.cbrt(EPS.float64) * scale(x), s) },
  { name: 'central h=∛ε·max(1,|x|)', d: (f, x, s) => central(f, x, Math.cbrt(EPS[s]) * scale(x), s) },
  { name: '  + refinement (h, h/2)', d: (f, x, s) => refined(f, x, Math.cbrt(EPS[s]) * scale(x), s) },
  { name: '5-point k=ε^(1/5)·max(1,|x|)', d: (f, x, s) => fivePoint(f, x, EPS[s] ** 0.2 * scale(x), s) },
  { name: '5-point k=ε^(1/5)/4·max', d: (f, x, s) => fivePoint(f, x, (EPS[s] ** 0.2 / 4) * scale(x), s) },
];

const fmt = (v: number): string => (v === 0 ? '0' : Number.isFinite(v) ? v.toExponential(1) : String(v));
const pad = (t: string, n: number): string => t + ' '.repeat(Math.max(0, n - t.length));

/** Relative error as REFERENCE §1.2 defines it: |FD − exact| / max(1, |exact|). */
const relErr = (d: number, exact: number): number => Math.abs(d - exact) / Math.max(1, Math.abs(exact));
/** Pure relative error |FD − exact| / |exact|: the rtol a comparison with atol = 0 would need. */
const pureRel = (d: number, exact: number): number => Math.abs(d - exact) / Math.abs(exact);

for (const s of ['float64', 'float32'] as const) {
  console.log(`\n## ${s} storage — error at chosen points, |FD − exact| / max(1, |exact|)\n`);
  const cols = fns.flatMap((fn) => fn.at.map((x) => `${fn.name}@${x}`));
  console.log(pad('method', 30) + cols.map((c) => pad(c, 14)).join(''));
  for (const m of methods) {
    const cells = fns.flatMap((fn) =>
      fn.at.map((x0) => {
        const x = round(x0, s);
        return fmt(relErr(m.d(stored(fn.f, s), x, s), fn.df(x)));
      }),
    );
    console.log(pad(m.name, 30) + cells.map((c) => pad(c, 14)).join(''));
  }
}

// Sweep: the worst case over many points of each function's domain (what a property test meets).
const N = 2000;
for (const s of ['float64', 'float32'] as const) {
  console.log(`\n## ${s} storage — worst over ${N} points per function: max |FD − exact| / max(1e-3, |exact|)\n`);
  console.log(pad('method', 30) + fns.map((fn) => pad(`${fn.name} [${fn.sweep.join(',')}]`, 20)).join('') + 'overall');
  for (const m of methods) {
    let overall = 0;
    const cells = fns.map((fn) => {
      let worst = 0;
      for (let i = 0; i < N; i++) {
        const [lo, hi] = fn.sweep;
        const x = round(lo + ((hi - lo) * (i + 0.5)) / N, s);
        const exact = fn.df(x);
        const e = Math.abs(m.d(stored(fn.f, s), x, s) - exact) / Math.max(1e-3, Math.abs(exact));
        worst = Math.max(worst, e);
      }
      overall = Math.max(overall, worst);
      return fmt(worst);
    });
    console.log(pad(m.name, 30) + cells.map((c) => pad(c, 20)).join('') + fmt(overall));
  }
}

// How large is the round-off of a central difference, in units of u·(|f₊| + |f₋|)/|x₊ − x₋| (u = ε/2)?
// Measurable exactly for float32 storage: the float64 function is the reference. This calibrates
// the noise allowance gradcheck adds to its tolerance.
{
  let worst = 0;
  for (const fn of fns) {
    for (let i = 0; i < N; i++) {
      const [lo, hi] = fn.sweep;
      const x = round(lo + ((hi - lo) * (i + 0.5)) / N, 'float32');
      const h = Math.cbrt(EPS.float32) * scale(x);
      const xp = round(x + h, 'float32'), xm = round(x - h, 'float32');
      const f32 = stored(fn.f, 'float32');
      const roundoff = Math.abs(f32(xp) - f32(xm) - (fn.f(xp) - fn.f(xm))) / (xp - xm);
      const unit = ((EPS.float32 / 2) * (Math.abs(f32(xp)) + Math.abs(f32(xm)))) / (xp - xm);
      if (unit > 0) worst = Math.max(worst, roundoff / unit);
    }
  }
  console.log(`\n## float32 round-off of a central difference: worst ${worst.toFixed(2)} units of u·(|f₊| + |f₋|)/|x₊ − x₋|`);
}
