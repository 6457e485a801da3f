/**
 * Every built-in op's backward, checked against finite differences on generated shapes and values
 * (spec/ops/op-table.ts), in float64 and float32. The table is keyed by OpName, so an op added to the
 * registry without an entry fails `tsc --noEmit`; the last tests read src/ops/ and prove that every
 * file defining an op is registered and exported, so no op can escape the table either.
 *
 * Near-kink findings fail here (`kinks: 'reject'`): the generators promise to stay away from kinks
 * and ties, and this holds them to it. A failure prints fast-check's seed and path (replay with
 * `fc.assert(…, { seed, path })`) and, as its cause, the gradcheck report with its own seed.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as opsIndex from '../../src/ops/index.js';
import { type AnyOp, type OpName, isOp, registry } from '../../src/ops/index.js';
import { checkOp } from '../../src/testing/index.js';
import { opTable } from './op-table.js';

const names = Object.keys(registry) as OpName[];

/** Runs per op and dtype: float64 is the strict check; float32 shows the op is right in its own dtype. */
const RUNS = { float64: 100, float32: 30 } as const;

describe('every registered op passes gradcheck on generated cases', () => {
  for (const name of names) {
    it(name, () => {
      const op = registry[name] as AnyOp;
      const spec = opTable[name];
      for (const dtype of ['float64', 'float32'] as const) {
        fc.assert(checkOp(op, { kinks: 'reject', ...spec.options, cases: spec.cases(dtype) }), { numRuns: RUNS[dtype] });
      }
    });
  }
});

const opsDir = new URL('../../src/ops/', import.meta.url);

/** Source without comments and string literals, so that TSDoc examples and messages do not count as calls. */
function stripNonCode(source: string): string {
  return source
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/\/\/.*$/gm, '')
    .replace(/`(?:\\.|[^`\\])*`|'(?:\\.|[^'\\\n])*'|"(?:\\.|[^"\\\n])*"/g, '""');
}

/** How many times this source calls defineOp (its declaration aside). */
const defineOpCalls = (source: string): number => [...stripNonCode(source).matchAll(/(?<!function\s+)\bdefineOp\s*(<[^()]*>)?\s*\(/g)].length;
const callsDefineOp = (source: string): boolean => defineOpCalls(source) > 0;
/** The names exported as `export const name = defineOp…`. */
const exportedOps = (source: string): string[] => [...stripNonCode(source).matchAll(/export\s+const\s+(\w+)\s*=\s*defineOp\b/g)].map((m) => m[1]!);

const code = (file: string): string => readFileSync(new URL(file, opsDir), 'utf8');

/** camelCase export name → the kebab-case file name that must hold it. */
const fileOf = (name: string): string => `${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}.ts`;

describe('the registry is complete', () => {
  const files = readdirSync(opsDir).filter((f) => f.endsWith('.ts'));
  const defining = files.filter((f) => callsDefineOp(code(f)));

  it('the scan sees calls, and only calls (checked on synthetic sources)', () => {
    expect(callsDefineOp('export const cube = defineOp({ name: "cube" });')).toBe(true);
    expect(callsDefineOp('export const p = defineOp<PowAttrs, 1>({ name: "pow" });')).toBe(true);
    expect(callsDefineOp('const hidden = defineOp ({});')).toBe(true);
    expect(callsDefineOp('/** @example defineOp({ name: "x" }) */\n// defineOp(\nthrow new TypeError(`defineOp(${name}): bad`);')).toBe(false);
    expect(callsDefineOp('export function defineOp<A, N>(spec: OpSpec<A, N>) {}')).toBe(false);
    const mixed = 'export const a = defineOp({});\nconst b = defineOp({});\nexport const c = defineOp<X, 2>({});';
    expect(exportedOps(mixed)).toEqual(['a', 'c']);
    expect(defineOpCalls(mixed)).toBe(3);
    expect(defining.length).toBeGreaterThanOrEqual(names.length);
  });

  it('every file that calls defineOp exports its op, registered and exported from src/ops/index.ts', async () => {
    for (const file of defining) {
      const exported = exportedOps(code(file));
      expect(exported.length, `${file} calls defineOp ${defineOpCalls(code(file))} times but exports ${exported.length} ops as \`export const name = defineOp(…)\``).toBe(defineOpCalls(code(file)));
      const mod = (await import(new URL(file, opsDir).href)) as Record<string, unknown>;
      for (const name of exported) {
        const op = mod[name];
        expect(isOp(op), `${file}: ${name} is not an op`).toBe(true);
        expect(registry[name as OpName], `${name} (${file}) is missing from src/ops/registry.ts`).toBe(op);
        expect((opsIndex as Record<string, unknown>)[name], `${name} (${file}) is not exported from src/ops/index.ts`).toBe(op);
        expect((op as AnyOp).name, `${file}: the op's name`).toBe(name);
        expect(file, `${name} lives in a file named after it`).toBe(fileOf(name));
      }
    }
  });

  it('every registered op comes from such a file, and the registry holds the whole contract', () => {
    for (const name of names) expect(defining, `${name}'s file`).toContain(fileOf(name));
    const contract = [
      'add', 'sub', 'mul', 'div', 'neg', 'exp', 'log', 'sqrt', 'abs', 'square', 'pow', 'sigmoid', 'tanh', 'relu', 'leakyRelu', 'elu',
      'softplus', 'gelu', 'softmax', 'logSoftmax', 'sum', 'mean', 'max', 'matmul', 'transpose', 'reshape', 'concat', 'slice', 'mse',
      'l1', 'huber', 'bce', 'bceWithLogits', 'crossEntropy', 'nll',
    ];
    expect(names.slice().sort()).toEqual(expect.arrayContaining(contract.sort()));
  });
});

/**
 * Ops defined outside src/ops/ (they carry state, or wrap a user's function) are not in the
 * registry, so the property test above never runs them. Each is listed here with the spec that
 * checks its backward (or the reason it has none); a new defineOp anywhere else in src/ fails
 * until it is listed. (unstandardize went untested this way until it was listed.)
 */
const OUTSIDE_REGISTRY: Record<string, { calls: number; specs: Record<string, string> }> = {
  'graph/detach.ts': { calls: 1, specs: { detach: 'graph/semantics.spec.ts' } },
  // transformGrad and pipeGrad pass the user's function's result on as the gradient (no maths of their own).
  'graph/transform-grad.ts': { calls: 2, specs: { transformGrad: 'graph/semantics.spec.ts', pipeGrad: 'graph/semantics.spec.ts' } },
  // standardize is not differentiable (no gradient flows into data); its forward is checked there.
  'train/standardize.ts': { calls: 2, specs: { standardize: 'train/learn-data-steps.spec.ts', unstandardize: 'train/unstandardize.spec.ts' } },
};

describe('no op escapes checking from outside src/ops/', () => {
  const srcDir = new URL('../../src/', import.meta.url);
  const walk = (dir: string): string[] =>
    readdirSync(new URL(dir, srcDir), { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(`${dir}${e.name}/`) : e.name.endsWith('.ts') ? [`${dir}${e.name}`] : []));
  const files = walk('').filter((f) => !f.startsWith('ops/') && !f.startsWith('testing/'));

  it('every defineOp call outside src/ops/ is listed, with the spec that checks it', () => {
    const found: Record<string, number> = {};
    for (const f of files) {
      const n = defineOpCalls(readFileSync(new URL(f, srcDir), 'utf8'));
      if (n > 0) found[f] = n;
    }
    expect(found).toEqual(Object.fromEntries(Object.entries(OUTSIDE_REGISTRY).map(([f, v]) => [f, v.calls])));
    for (const { specs } of Object.values(OUTSIDE_REGISTRY)) {
      for (const [op, spec] of Object.entries(specs)) {
        const url = new URL(`../${spec}`, import.meta.url);
        expect(existsSync(url), `${op}: ${spec} exists`).toBe(true);
        expect(readFileSync(url, 'utf8'), `${spec} names ${op}`).toContain(op);
      }
    }
  });
});
