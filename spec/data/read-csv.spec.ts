/**
 * readCsv: rows, line numbers, numbers, line endings, quoting, sources, skipping, errors, and rows
 * that are safe whatever the header names.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { firstValueFrom, lastValueFrom, toArray } from 'rxjs';
import { type CsvRow, DataError, parseNumber, readCsv, type ReadCsvOptions } from '../../src/data/index.js';

const dir = mkdtempSync(join(tmpdir(), 'rxgrad-csv-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const file = (text: string | Buffer): string => {
  const path = join(dir, `f${files++}.csv`);
  writeFileSync(path, text);
  return path;
};

const read = (text: string, options: ReadCsvOptions = {}): Promise<CsvRow[]> => lastValueFrom(readCsv([text], options).pipe(toArray()));
const failure = async (text: string, options: ReadCsvOptions = {}): Promise<DataError> => {
  try {
    await read(text, options);
  } catch (err) {
    expect(err).toBeInstanceOf(DataError);
    return err as DataError;
  }
  throw new Error('expected readCsv to fail');
};
const simple = (rows: CsvRow[]) => rows.map((r) => [r.line, ...r.fields]);

describe('readCsv rows', () => {
  it('reads a header and rows: line numbers (header = 1), fields, names, positions', async () => {
    const rows = await read('a,b,c\n1,x,3\n4,y,6\n', { columns: true });
    expect(simple(rows)).toEqual([[2, '1', 'x', '3'], [3, '4', 'y', '6']]);
    expect(rows[1]!.get('b')).toBe('y');
    expect([...rows[0]!.values]).toEqual([['a', '1'], ['b', 'x'], ['c', '3']]);
    expect(rows.map((r) => r.index)).toEqual([0, 1]);
    expect(rows[0]!.columns).toBe(rows[1]!.columns); // one header object per file
    expect(Object.isFrozen(rows[0]!.fields)).toBe(true);
    expect(() => rows[0]!.get('d')).toThrow(/line 2: no column "d"; the columns are "a", "b", "c"/);
  });

  it('parses numbers in every column or in the named ones', async () => {
    const all = await read('a,b\n1.5,-2e3\n.25,+7\n', { columns: true, numeric: true });
    expect(all.map((r) => r.fields)).toEqual([[1.5, -2000], [0.25, 7]]);
    const some = await read('a,b\n1.5,x\n', { columns: true, numeric: ['a'] });
    expect(some[0]!.fields).toEqual([1.5, 'x']);
  });

  it('reads CRLF, LF and mixed line endings alike, and a file without a final newline', async () => {
    const lf = await read('a,b\n1,2\n3,4\n', { columns: true });
    const crlf = await read('a,b\r\n1,2\r\n3,4\r\n', { columns: true });
    const mixed = await read('a,b\r\n1,2\n3,4', { columns: true });
    expect(simple(crlf)).toEqual(simple(lf));
    expect(simple(mixed)).toEqual(simple(lf));
    expect(simple(lf)).toEqual([[2, '1', '2'], [3, '3', '4']]);
  });

  it('handles quoting and counts lines inside quoted fields and blank lines', async () => {
    const text = 'a,b\r\n"x, y","say ""hi"""\r\n"two\r\nlines",1\r\n\r\n"three\nmore\nlines",2\n\n\n3,"end"\n';
    const rows = await read(text, { columns: true });
    expect(simple(rows)).toEqual([
      [2, 'x, y', 'say "hi"'],
      [3, 'two\r\nlines', '1'],
      [6, 'three\nmore\nlines', '2'],
      [11, '3', 'end'],
    ]);
  });

  it('strips a UTF-8 byte order mark from the first column name', async () => {
    const rows = await read('\uFEFFa,b\n1,2\n', { columns: true });
    expect(rows[0]!.get('a')).toBe('1');
  });

  it('without a header names columns by position; with a list of names, uses them', async () => {
    const bare = await read('1,2\n3,4\n', { numeric: true });
    expect(simple(bare)).toEqual([[1, 1, 2], [2, 3, 4]]);
    expect(bare[0]!.get('1')).toBe(2);
    const named = await read('1,2\n3,4\n', { columns: ['x', 'y'], numeric: ['y'] });
    expect(named[1]!.get('x')).toBe('3');
    expect(named[1]!.get('y')).toBe(4);
  });

  it('skipRows skips data rows after the header and keeps file line numbers and positions', async () => {
    const text = 'a\n1\n2\n3\n4\n';
    const rows = await read(text, { columns: true, skipRows: 2, numeric: true });
    expect(simple(rows)).toEqual([[4, 3], [5, 4]]);
    expect(rows[0]!.index).toBe(2);
    expect(await read(text, { columns: true, skipRows: 10 })).toEqual([]);
    // rows skipped are not checked: a resume does not re-validate consumed rows
    expect(simple(await read('a\nbad\n2\n', { columns: true, skipRows: 1, numeric: true }))).toEqual([[3, 2]]);
  });

  it('reads from a path, a Node stream, an async iterable of Buffers split anywhere, and a list of strings', async () => {
    const text = 'name,v\nélan,1\nnaïve,2\n';
    const expected = [[2, 'élan', '1'], [3, 'naïve', '2']];
    const path = file(text);
    expect(simple(await lastValueFrom(readCsv(path, { columns: true }).pipe(toArray())))).toEqual(expected);
    const stream = Readable.from([Buffer.from(text)]);
    expect(simple(await lastValueFrom(readCsv(stream, { columns: true }).pipe(toArray())))).toEqual(expected);
    const bytes = Buffer.from(text);
    async function* oneByteAtATime() {
      for (const b of bytes) yield Buffer.from([b]); // splits the two-byte é and ï
    }
    expect(simple(await lastValueFrom(readCsv(oneByteAtATime(), { columns: true }).pipe(toArray())))).toEqual(expected);
    expect(simple(await lastValueFrom(readCsv(['name,v\nél', 'an,1\nnaïve,2\n'], { columns: true }).pipe(toArray())))).toEqual(expected);
  });

  it('a path is read afresh by each subscription; a stream only once', async () => {
    const rows$ = readCsv(file('a\n1\n'), { columns: true });
    expect((await lastValueFrom(rows$.pipe(toArray()))).length).toBe(1);
    expect((await lastValueFrom(rows$.pipe(toArray()))).length).toBe(1);
    const once$ = readCsv(Readable.from(['a\n1\n']), { columns: true });
    await lastValueFrom(once$.pipe(toArray()));
    await expect(lastValueFrom(once$)).rejects.toThrow(/already read/);
  });
});

describe('readCsv errors name the line and the column', () => {
  it('a cell that is not a number', async () => {
    const e = await failure('a,b\n1,2\n3,x7\n', { columns: true, numeric: true });
    expect(e.message).toBe('readCsv(stream): line 3, column "b" (field 2): "x7" is not a number');
    expect([e.line, e.column]).toEqual([3, 'b']);
    for (const cell of ['', ' ', 'NaN', 'Infinity', '0x10', '1e999', '1,5', '--1']) {
      expect(parseNumber(cell), cell).toBeUndefined();
    }
    expect([' 2 ', '1.', '-.5', '1E-3'].map(parseNumber)).toEqual([2, 1, -0.5, 0.001]);
  });

  it('a row with too few or too many fields', async () => {
    const few = await failure('a,b,c\n1,2,3\n4,5\n', { columns: true });
    expect(few.message).toBe('readCsv(stream): line 3: 2 fields where 3 are expected (column "c" is missing)');
    expect([few.line, few.column]).toEqual([3, 'c']);
    const many = await failure('a,b\n1,2\n\n3,4,5\n', { columns: true });
    expect(many.message).toMatch(/line 4: 3 fields where 2 are expected \(extra field after column "b"\)/);
    const bare = await failure('1,2\n3\n');
    expect(bare.message).toMatch(/line 2: 1 fields where 2 are expected \(column "1" is missing\)/);
  });

  it('a duplicate column, a numeric column that does not exist, an empty file', async () => {
    expect((await failure('a,b,a\n1,2,3\n', { columns: true })).message).toMatch(/column "a" appears twice \(fields 1 and 3\)/);
    expect((await failure('a,b\n1,2\n', { columns: true, numeric: ['c'] })).message).toMatch(/numeric: no column "c"; the columns are "a", "b"/);
    expect((await failure('', { columns: true })).message).toMatch(/the file is empty: no header line/);
    expect(await read('', {})).toEqual([]);
  });

  it('malformed CSV and a missing file', async () => {
    expect((await failure('a,b\n1,"open\n', { columns: true })).message).toMatch(/^readCsv\(stream\): Quote Not Closed/);
    const missing = join(dir, 'missing.csv');
    await expect(lastValueFrom(readCsv(missing))).rejects.toThrow(new RegExp(`readCsv\\(${missing.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\\): ENOENT`));
  });

  it('bad options and sources throw at once', () => {
    expect(() => readCsv('x.csv', { skipRows: -1 })).toThrow(/skipRows must be a non-negative integer/);
    expect(() => readCsv('x.csv', { columns: [] })).toThrow(/columns must be true or a non-empty array/);
    expect(() => readCsv('x.csv', { columns: ['a', 'a'] })).toThrow(/appears twice/);
    expect(() => readCsv(42 as unknown as string)).toThrow(/the source must be a path/);
  });
});

describe('readCsv rows are safe whatever the header names', () => {
  const header = '__proto__,constructor,prototype,toString,hasOwnProperty,x';
  const text = `${header}\n"{""polluted"":1}",c,p,t,h,1\n`;

  it('such columns pollute nothing and are still readable as data', async () => {
    const protoNames = Object.getOwnPropertyNames(Object.prototype).sort();
    const rows = await read(text, { columns: true, numeric: ['x'] });
    const row = rows[0]!;
    expect(row.get('__proto__')).toBe('{"polluted":1}');
    expect(row.get('constructor')).toBe('c');
    expect(row.get('prototype')).toBe('p');
    expect(row.values.get('toString')).toBe('t');
    expect(row.values.get('__proto__')).toBe('{"polluted":1}');
    expect(row.get('x')).toBe(1);

    const o = row.toObject();
    expect(Object.getPrototypeOf(o)).toBeNull();
    expect(Object.keys(o)).toEqual(['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'x']);
    expect(Object.getOwnPropertyDescriptor(o, '__proto__')?.value).toBe('{"polluted":1}');
    expect(o['toString']).toBe('t');

    // nothing reached Object.prototype, and the row's own methods still work
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(protoNames);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(typeof ({}).toString).toBe('function');
    expect(typeof row.get).toBe('function');
    expect(row.has('hasOwnProperty')).toBe(true);
    expect(row.has('valueOf')).toBe(false);
  });

  it('a missing column named like an Object.prototype member is reported as missing', async () => {
    const row = (await read('a\n1\n', { columns: true }))[0]!;
    expect(() => row.get('constructor')).toThrow(/no column "constructor"/);
    expect(() => row.get('__proto__')).toThrow(/no column "__proto__"/);
    expect(row.values.get('toString')).toBeUndefined();
  });

  it('numeric accepts such names too', async () => {
    const row = await firstValueFrom(readCsv(['__proto__,constructor\n1,2\n'], { columns: true, numeric: ['__proto__', 'constructor'] }));
    expect(row.fields).toEqual([1, 2]);
  });
});
