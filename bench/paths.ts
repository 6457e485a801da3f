/**
 * Where the benchmark runs from. `npm run bench` compiles src/ and bench/ with tsc into build/ and
 * runs plain JavaScript (under tsx, esbuild's keep-names wrapping makes rxgrad's closures slower
 * and would measure the loader, not the library); files are found from the repository root,
 * wherever this module ended up.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'package.json');
    if (existsSync(candidate) && (JSON.parse(readFileSync(candidate, 'utf8')) as { name?: string }).name === 'rxgrad') return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error('bench: cannot find the rxgrad repository root');
    dir = up;
  }
}

/** The repository root (the folder of rxgrad's package.json). */
export const REPO_ROOT = findRoot();

/** True when running compiled JavaScript (build/bench/*.js) rather than TypeScript under tsx. */
export const COMPILED = import.meta.url.endsWith('.js');

/** A file of the bench folder as it exists at run time (the .js twin when compiled). */
export function benchFile(name: string): string {
  return COMPILED ? fileURLToPath(new URL(`./${name.replace(/\.ts$/, '.js')}`, import.meta.url)) : join(REPO_ROOT, 'bench', name);
}
