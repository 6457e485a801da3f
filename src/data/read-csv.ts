/**
 * A streaming CSV reader: a file (or stream) as an Observable of rows, read as fast as the
 * consumer takes them and no faster.
 *
 * Pacing: RxJS has no backpressure (REFERENCE §5.8), so the reader pulls. Inside the Observable it
 * iterates csv-parse with `for await` and emits each row synchronously; the next record is parsed
 * only after the subscriber's `next` returned, and the file is read only as the parser drains (Node
 * stream buffers: at most one chunk of the file and a few records in flight). Unsubscribing (e.g.
 * `take(10)`) destroys the parser and the input at once, which closes the file. A consumer that
 * hands rows to asynchronous work must bound it itself (`concatMap` buffers without limit).
 */
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { Observable } from 'rxjs';
import { parse } from 'csv-parse';
import { CsvColumns, CsvRow, type CsvValue } from './csv-row.js';
import { DataError } from './data-error.js';
import { parseNumber } from './parse-number.js';

/** A file path, a Node readable stream, or (async) iterable chunks of CSV text. */
export type CsvSource = string | NodeJS.ReadableStream | AsyncIterable<string | Buffer> | Iterable<string | Buffer>;

export interface ReadCsvOptions {
  /**
   * `true`: the first line is a header naming the columns. An array: the file has no header and
   * these are the names. Absent: no header, and the columns are named by position '0', '1', ….
   */
  columns?: boolean | readonly string[];
  /** Data rows to skip before emitting (the resume position after a checkpoint). Default 0. */
  skipRows?: number;
  /** Parse cells as numbers: every column (`true`) or the named ones. Default: all strings. */
  numeric?: boolean | readonly string[];
  /** Field delimiter. Default ','. */
  delimiter?: string;
}

/** The number of line breaks inside a record's cells (CRLF, LF or CR each count once). */
function breaks(fields: readonly string[]): number {
  let n = 0;
  for (const f of fields) {
    if (f.indexOf('\n') < 0 && f.indexOf('\r') < 0) continue;
    for (let i = 0; i < f.length; i++) {
      const c = f.charCodeAt(i);
      if (c === 10 || (c === 13 && f.charCodeAt(i + 1) !== 10)) n++;
    }
  }
  return n;
}

function toReadable(source: CsvSource): Readable {
  if (typeof source === 'string') return createReadStream(source);
  if (source instanceof Readable) {
    if (source.readableEnded || source.destroyed) throw new DataError('the stream was already read (a stream can be read once: subscribe once, or pass a path)');
    return source;
  }
  if (typeof source === 'object' && source !== null && (Symbol.asyncIterator in source || Symbol.iterator in source)) {
    return Readable.from(source as AsyncIterable<string | Buffer>);
  }
  if (typeof source === 'object' && source !== null && typeof (source as NodeJS.ReadableStream).pipe === 'function') {
    return new Readable().wrap(source as NodeJS.ReadableStream);
  }
  throw new TypeError(`readCsv: the source must be a path, a readable stream or an iterable of text chunks, got ${typeof source}`);
}

/** Turns parser records into rows: header, line numbers, field counts, numbers, skipping. */
class RowReader {
  private columns: CsvColumns | null;
  private numeric: boolean[] | null = null;
  private endLine = 0;
  private dataRows = 0;

  constructor(private readonly options: ReadCsvOptions) {
    this.columns = Array.isArray(options.columns) ? new CsvColumns(options.columns) : null;
  }

  /** Whether a header was expected and seen (or none was expected). */
  get headerSeen(): boolean {
    return this.options.columns !== true || this.columns !== null;
  }

  accept(fields: string[]): CsvRow | null {
    // Lines are counted here: each record starts on the line after the previous one ended (a blank
    // line is a record of one empty field), and spans as many lines as its cells hold line breaks.
    // NOTE: csv-parse's `info.lines` counts a CRLF inside quotes as two lines, and `info: true`
    // doubles the parse time; neither is used.
    const line = this.endLine + 1;
    this.endLine = line + breaks(fields);
    if (fields.length === 1 && fields[0] === '') return null;
    if (this.columns === null) {
      const header = this.options.columns === true;
      this.columns = new CsvColumns(header ? fields : fields.map((_, i) => String(i)), line);
      this.numeric = this.numericMask(this.columns);
      if (header) return null;
    }
    this.numeric ??= this.numericMask(this.columns);
    const index = this.dataRows++;
    if (index < (this.options.skipRows ?? 0)) return null;
    const names = this.columns.names;
    if (fields.length !== names.length) {
      const missing = fields.length < names.length;
      const column = names[missing ? fields.length : names.length - 1]!;
      const detail = missing ? `column ${JSON.stringify(column)} is missing` : `extra field after column ${JSON.stringify(column)}`;
      throw new DataError(`line ${line}: ${fields.length} fields where ${names.length} are expected (${detail})`, { line, column });
    }
    const values: CsvValue[] = fields;
    for (let i = 0; i < values.length; i++) {
      if (!this.numeric[i]) continue;
      const v = parseNumber(fields[i]!);
      if (v === undefined) {
        throw new DataError(`line ${line}, column ${JSON.stringify(names[i])} (field ${i + 1}): ${JSON.stringify(fields[i])} is not a number`, { line, column: names[i]! });
      }
      values[i] = v;
    }
    return new CsvRow(line, index, values, this.columns);
  }

  private numericMask(columns: CsvColumns): boolean[] {
    const numeric = this.options.numeric ?? false;
    const mask = columns.names.map(() => numeric === true);
    if (Array.isArray(numeric)) for (const name of numeric) mask[columns.require(name, 'numeric')] = true;
    return mask;
  }
}

/**
 * Reads a CSV file as an Observable of {@link CsvRow}s, paced by the consumer (see the file header).
 *
 * - A string source is a path; the file is opened on subscription (each subscription reads it
 *   afresh) and closed on completion, error or unsubscription. A stream can be read once; it is
 *   destroyed when the subscription ends.
 * - CRLF and LF line endings (mixed, even), quoted fields with embedded delimiters, quotes and line
 *   breaks, a UTF-8 BOM. Blank lines are skipped (in a one-column file, so is an empty cell: the
 *   two look the same). `row.line` is the 1-based line where the record starts in the file (the
 *   header is line 1), blank lines counted.
 * - Errors (a `DataError` with `line` and `column`): a row whose field count differs from the
 *   header's (or, without a header, from the first row's), a cell of a numeric column that is not
 *   a decimal number (`parseNumber`), a duplicate column name, a `numeric` name that is not a
 *   column, malformed CSV, a missing file.
 * - `skipRows` rows after the header are parsed only to find where they end (not checked).
 *
 * @example
 * readCsv('phishing.csv', { columns: true, numeric: true }).pipe(take(2)).subscribe((row) =>
 *   console.log(row.line, row.get('is_phishing'), row.fields.length)); // 2 1 10, then 3 1 10
 */
export function readCsv(source: CsvSource, options: ReadCsvOptions & { numeric: true }): Observable<CsvRow<number>>;
export function readCsv(source: CsvSource, options?: ReadCsvOptions): Observable<CsvRow>;
export function readCsv(source: CsvSource, options: ReadCsvOptions = {}): Observable<CsvRow> {
  const skip = options.skipRows ?? 0;
  if (!Number.isSafeInteger(skip) || skip < 0) throw new RangeError(`readCsv: skipRows must be a non-negative integer, got ${skip}`);
  if (Array.isArray(options.columns)) {
    if (options.columns.length === 0 || !options.columns.every((c) => typeof c === 'string')) throw new TypeError('readCsv: columns must be true or a non-empty array of names');
    new CsvColumns(options.columns);
  }
  if (Array.isArray(options.numeric) && !options.numeric.every((c) => typeof c === 'string')) throw new TypeError('readCsv: numeric must be true or an array of column names');
  if (typeof source !== 'string' && (typeof source !== 'object' || source === null)) {
    throw new TypeError(`readCsv: the source must be a path, a readable stream or an iterable of text chunks, got ${source === null ? 'null' : typeof source}`);
  }
  const label = typeof source === 'string' ? source : 'stream';
  const fail = (err: unknown): DataError => {
    const message = err instanceof Error ? err.message : String(err);
    return err instanceof DataError
      ? new DataError(`readCsv(${label}): ${message}`, { line: err.line, column: err.column, cause: err })
      : new DataError(`readCsv(${label}): ${message}`, { cause: err });
  };

  return new Observable<CsvRow>((subscriber) => {
    let input: Readable;
    try {
      input = toReadable(source);
    } catch (err) {
      subscriber.error(err instanceof TypeError ? err : fail(err));
      return;
    }
    const parser = parse({
      bom: true,
      relax_column_count: true, // counted here, to name the line and the column
      record_delimiter: ['\r\n', '\n'],
      delimiter: options.delimiter ?? ',',
    });
    let stopped = false;
    subscriber.add(() => {
      stopped = true;
      input.unpipe(parser);
      input.destroy();
      parser.destroy();
    });
    input.on('error', (err) => parser.destroy(err));
    input.pipe(parser);

    const reader = new RowReader(options);
    void (async () => {
      try {
        for await (const record of parser as AsyncIterable<string[]>) {
          const row = reader.accept(record);
          if (row !== null) subscriber.next(row);
          if (subscriber.closed) return;
        }
        if (!reader.headerSeen) throw new DataError('the file is empty: no header line');
        subscriber.complete();
      } catch (err) {
        if (!stopped) subscriber.error(fail(err));
      }
    })();
  });
}
