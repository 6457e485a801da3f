/**
 * One record of a CSV file: its line, its cells by position and by column name.
 *
 * Column names come from the file and are untrusted: a header may name a column `__proto__`,
 * `constructor` or `toString`. Names are therefore looked up in a `Map`, and `toObject()` builds an
 * object without a prototype, so no header can reach `Object.prototype` or shadow a method.
 */
import { DataError } from './data-error.js';

/** A cell: a string, or a number for the columns read as numbers. */
export type CsvValue = string | number;

/** The column names of one file, shared by all its rows. */
export class CsvColumns {
  /** The names in file order. */
  readonly names: readonly string[];
  private readonly index: ReadonlyMap<string, number>;

  /** @throws DataError on a duplicate name (a second one could never be read by name). */
  constructor(names: readonly string[], line?: number) {
    const index = new Map<string, number>();
    names.forEach((name, i) => {
      if (index.has(name)) {
        throw new DataError(`column ${JSON.stringify(name)} appears twice (fields ${index.get(name)! + 1} and ${i + 1})`, { line, column: name });
      }
      index.set(name, i);
    });
    this.names = Object.freeze(names.slice());
    this.index = index;
  }

  /** The position of a column, or -1. */
  indexOf(name: string): number {
    return this.index.get(name) ?? -1;
  }

  /** The position of a column; throws a DataError listing the columns when there is none. */
  require(name: string, who: string): number {
    const i = this.index.get(name);
    if (i === undefined) throw new DataError(`${who}: no column ${JSON.stringify(name)}; the columns are ${this.names.map((n) => JSON.stringify(n)).join(', ')}`, { column: name });
    return i;
  }
}

/** A record: `fields` by position, `get(name)` / `values` by column name. Immutable. */
export class CsvRow<V extends CsvValue = CsvValue> {
  /** 1-based line of the file where the record starts (the header is line 1). */
  readonly line: number;
  /**
   * 0-based position among the file's data rows (skipped rows count): after this row, `index + 1`
   * rows are consumed, which is the `skipRows` that resumes after it.
   */
  readonly index: number;
  /** The cells in file order (frozen). */
  readonly fields: readonly V[];
  /** The file's column names. */
  readonly columns: CsvColumns;
  private map: ReadonlyMap<string, V> | undefined;

  constructor(line: number, index: number, fields: V[], columns: CsvColumns) {
    this.line = line;
    this.index = index;
    this.fields = Object.freeze(fields);
    this.columns = columns;
  }

  /** The cell of a column; throws a DataError naming the line for an unknown column. */
  get(name: string): V {
    const i = this.columns.indexOf(name);
    if (i < 0) {
      throw new DataError(`line ${this.line}: no column ${JSON.stringify(name)}; the columns are ${this.columns.names.map((n) => JSON.stringify(n)).join(', ')}`, { line: this.line, column: name });
    }
    return this.fields[i]!;
  }

  /** Whether the file has a column of this name. */
  has(name: string): boolean {
    return this.columns.indexOf(name) >= 0;
  }

  /** The cells by column name, in file order. */
  get values(): ReadonlyMap<string, V> {
    if (this.map === undefined) this.map = new Map(this.columns.names.map((n, i) => [n, this.fields[i]!]));
    return this.map;
  }

  /** The cells as a fresh object without a prototype (safe for any column name). */
  toObject(): Record<string, V> {
    const o = Object.create(null) as Record<string, V>;
    this.columns.names.forEach((n, i) => {
      // defineProperty, not assignment: even `__proto__` becomes a plain own property.
      Object.defineProperty(o, n, { value: this.fields[i]!, enumerable: true, writable: true, configurable: true });
    });
    return o;
  }
}
