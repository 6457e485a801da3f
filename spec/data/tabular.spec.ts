/**
 * tabular: rows to { line, index, x, y } samples, with errors that say where.
 */
import { describe, expect, it } from 'vitest';
import { lastValueFrom, toArray } from 'rxjs';
import { DataError, readCsv, tabular, type Sample, type TabularOptions } from '../../src/data/index.js';

const samples = (text: string, options: TabularOptions, numeric = true): Promise<Sample[]> =>
  lastValueFrom(tabular(readCsv([text], { columns: true, numeric }), options).pipe(toArray()));

describe('tabular', () => {
  it('picks features in the order given and the target', async () => {
    const s = await samples('y,a,b,skip\n1,2,3,x\n0,5,6,y\n', { features: ['b', 'a'], target: 'y' }, false);
    expect(s.map((v) => [v.line, v.index, Array.from(v.x), v.y])).toEqual([
      [2, 0, [3, 2], 1],
      [3, 1, [6, 5], 0],
    ]);
    expect(s[0]!.x).toBeInstanceOf(Float64Array);
    expect(s[0]!.x).not.toBe(s[1]!.x);
  });

  it('gives every row an x of its own, also where rows share storage (wide rows, many of them)', async () => {
    // x comes from shared slabs (allocateFresh): no two rows may overlap, across slab boundaries too.
    const width = 12, rows = 3000;
    const header = [...Array.from({ length: width }, (_, j) => `f${j}`), 'y'].join(',');
    const lines = Array.from({ length: rows }, (_, i) => [...Array.from({ length: width }, (_, j) => i * width + j), i].join(','));
    const s = await samples(`${header}\n${lines.join('\n')}\n`, { features: Array.from({ length: width }, (_, j) => `f${j}`), target: 'y' });
    for (const v of s) v.x.fill(-1, 0, 1);
    s.forEach((v, i) => {
      expect(v.x.length).toBe(width);
      expect(Array.from(v.x.subarray(1))).toEqual(Array.from({ length: width - 1 }, (_, j) => i * width + j + 1));
    });
  });

  it('works on numeric rows and on string rows alike (strings are parsed strictly)', async () => {
    const text = 'a,y\n1.5,2\n-3e2,4\n';
    const opts = { features: ['a'], target: 'y' };
    expect(await samples(text, opts, true)).toEqual(await samples(text, opts, false));
  });

  it('a cell that is not a number names the line and the column', async () => {
    const err = await samples('a,y,note\n1,2,x\n3,oops,y\n', { features: ['a'], target: 'y' }, false).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    expect((err as DataError).message).toBe('tabular: line 3, column "y": "oops" is not a number');
    expect([(err as DataError).line, (err as DataError).column]).toEqual([3, 'y']);
  });

  it('a column the file lacks is named with the columns it has', async () => {
    const err = await samples('a,y\n1,2\n', { features: ['a', 'b'], target: 'y' }).catch((e: unknown) => e);
    expect((err as DataError).message).toBe('tabular: no column "b"; the columns are "a", "y" (line 2)');
    const noTarget = await samples('a,y\n1,2\n', { features: ['a'], target: 'z' }).catch((e: unknown) => e);
    expect((noTarget as DataError).message).toMatch(/no column "z"/);
  });

  it('refuses bad options at once', () => {
    const rows = readCsv(['a,y\n'], { columns: true });
    expect(() => tabular(rows, { features: [], target: 'y' })).toThrow(/features must be a non-empty array/);
    expect(() => tabular(rows, { features: ['a', 'a'], target: 'y' })).toThrow(/feature "a" is listed twice/);
    expect(() => tabular(rows, { features: ['a', 'y'], target: 'y' })).toThrow(/the target "y" is also listed as a feature/);
    expect(() => tabular(rows, { features: ['a'], target: 1 as unknown as string })).toThrow(/target must be a column name/);
  });

  it('reads columns named like Object.prototype members', async () => {
    const s = await samples('__proto__,constructor\n1,2\n', { features: ['__proto__'], target: 'constructor' });
    expect(Array.from(s[0]!.x)).toEqual([1]);
    expect(s[0]!.y).toBe(2);
  });
});
