/**
 * readCsv on a large file: reading is paced by the consumer (bounded read-ahead, flat memory), and
 * unsubscribing stops reading and closes the file.
 */
import { createReadStream, existsSync, mkdtempSync, readdirSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Subscription, firstValueFrom, lastValueFrom, reduce, take, toArray } from 'rxjs';
import { readCsv, tabular } from '../../src/data/index.js';

const ROWS = 200_000;
const dir = mkdtempSync(join(tmpdir(), 'rxgrad-big-'));
const path = join(dir, 'big.csv');
let text = '';

beforeAll(() => {
  const lines = ['id,a,b,c,d,y'];
  for (let i = 0; i < ROWS; i++) lines.push(`${i},${(i % 97) / 7},${i % 13},${-i / 3},${(i * 7919) % 1000},${i % 2}`);
  text = lines.join('\n') + '\n';
  writeFileSync(path, text);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const gc = (globalThis as { gc?: () => void }).gc;

/** Open descriptors of this process that point at `file` (Linux /proc; null elsewhere). */
function openDescriptors(file: string): number | null {
  if (!existsSync('/proc/self/fd')) return null;
  let n = 0;
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`) === file) n++;
    } catch {
      // a descriptor closed while we looked
    }
  }
  return n;
}

async function until(condition: () => boolean, ms = 2000): Promise<boolean> {
  const end = Date.now() + ms;
  while (!condition() && Date.now() < end) await new Promise((r) => setTimeout(r, 5));
  return condition();
}

describe('readCsv on a 200k-row file', () => {
  it('reads every row into samples, with the heap flat (nothing accumulates)', async () => {
    expect(statSync(path).size).toBeGreaterThan(5e6);
    gc?.();
    const base = process.memoryUsage().heapUsed;
    let peak = 0;
    const sums = await lastValueFrom(
      tabular(readCsv(path, { columns: true, numeric: true }), { features: ['a', 'b', 'c', 'd'], target: 'y' }).pipe(
        reduce(
          (acc, s) => {
            acc.n++;
            acc.y += s.y;
            if (gc && acc.n % 20_000 === 0) {
              gc();
              peak = Math.max(peak, process.memoryUsage().heapUsed - base);
            }
            return acc;
          },
          { n: 0, y: 0 },
        ),
      ),
    );
    expect(sums).toEqual({ n: ROWS, y: ROWS / 2 });
    // 200k parsed rows held at once would be tens of MB; what is live is a chunk or two.
    if (gc) expect(peak).toBeLessThan(8e6);
  });

  it('never reads far ahead of the consumer', async () => {
    const bytes = Buffer.from(text);
    let pulled = 0;
    async function* chunks() {
      for (let i = 0; i < bytes.length; i += 4096) {
        pulled = Math.min(bytes.length, i + 4096);
        yield bytes.subarray(i, i + 4096);
      }
    }
    // bytes of the rows emitted so far (the header and each row's line with its newline)
    let consumed = text.indexOf('\n') + 1;
    let lead = 0;
    let rows = 0;
    let at = consumed;
    await lastValueFrom(
      readCsv(chunks(), { columns: true }).pipe(
        reduce((_, row) => {
          const end = text.indexOf('\n', at) + 1;
          consumed = end;
          at = end;
          lead = Math.max(lead, pulled - consumed);
          return ++rows;
        }, 0),
      ),
    );
    expect(rows).toBe(ROWS);
    // Node's stream buffers (16 chunks from the iterable, 16 KiB in the parser, 16 records out)
    // bound the read-ahead; the file is over 7 MB.
    expect(lead).toBeLessThan(256 * 1024);
  });

  it('take(10) stops reading and closes the file (a path source)', async () => {
    const before = openDescriptors(path);
    let openWhileReading: number | null = null;
    const rows = await lastValueFrom(
      readCsv(path, { columns: true, numeric: true }).pipe(
        take(10),
        reduce((all: number[], row) => {
          openWhileReading ??= openDescriptors(path);
          all.push(row.fields[0]!);
          return all;
        }, []),
      ),
    );
    expect(rows).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    if (before !== null) {
      expect(openWhileReading).toBe(before + 1); // the check can see the file open…
      expect(await until(() => openDescriptors(path) === before)).toBe(true); // …and closed again
    }
  });

  it('take(10) destroys a stream source after reading only its first chunks', async () => {
    const stream = createReadStream(path);
    let closed = false;
    stream.on('close', () => (closed = true));
    await lastValueFrom(readCsv(stream, { columns: true }).pipe(take(10), toArray()));
    expect(await until(() => closed)).toBe(true);
    expect(stream.bytesRead).toBeLessThan(statSync(path).size / 10);
  });

  it('unsubscribing ends an async-iterable source (its finally runs)', async () => {
    let finished = false;
    let yielded = 0;
    async function* endless() {
      try {
        yield 'i\n';
        for (let i = 0; ; i++) {
          yielded++;
          yield `${i}\n`;
        }
      } finally {
        finished = true;
      }
    }
    const sub = new Subscription();
    await new Promise<void>((resolve) => {
      sub.add(
        readCsv(endless(), { columns: true }).subscribe((row) => {
          if (row.index === 99) {
            sub.unsubscribe();
            resolve();
          }
        }),
      );
    });
    expect(await until(() => finished)).toBe(true);
    // What was pulled beyond the 100 rows taken is what fits in the stream buffers: the parser's
    // 16 KiB of ~6-byte chunks, not an unbounded run.
    expect(yielded).toBeLessThan(16 * 1024 / 2 + 100);
  });

  it('an error deep in the file names its line, after the rows before it', async () => {
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, text.replace('\n150000,', '\n150000x,'));
    let n = 0;
    const err = await lastValueFrom(readCsv(bad, { columns: true, numeric: true }).pipe(reduce(() => ++n, 0))).catch((e: Error) => e);
    expect(n).toBe(150_000);
    expect((err as Error).message).toMatch(/line 150002, column "id" \(field 1\): "150000x" is not a number/);
  });

  it('skipRows resumes at a row deep in the file', async () => {
    const row = await firstValueFrom(readCsv(path, { columns: true, numeric: true, skipRows: 123_456 }));
    expect([row.line, row.index, row.fields[0]]).toEqual([123_458, 123_456, 123_456]);
  });
});
