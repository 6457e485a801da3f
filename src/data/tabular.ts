/**
 * From CSV rows to numeric samples: a feature vector and a target per row.
 */
import { type Observable, map } from 'rxjs';
import type { CsvRow, CsvColumns } from './csv-row.js';
import { DataError } from './data-error.js';
import { parseNumber } from './parse-number.js';
import { allocateFresh } from '../tensor/dtype.js';

/** One supervised sample of a table. */
export interface Sample {
  /** The row's line in the file. */
  readonly line: number;
  /** The row's position among the data rows (`skipRows = index + 1` resumes after it). */
  readonly index: number;
  /**
   * The features, in the order `features` names them (a fresh array per sample). Small rows are
   * views on shared storage (see allocateFresh): use the array, not its `buffer`.
   */
  readonly x: Float64Array;
  /** The target. */
  readonly y: number;
}

export interface TabularOptions {
  /** Feature columns, in the order `x` holds them. */
  features: readonly string[];
  /** Target column. */
  target: string;
}

/**
 * Maps rows to samples `{ line, index, x, y }`. Cells may be numbers (`numeric` in `readCsv`) or
 * strings, which are parsed strictly (`parseNumber`). Errors are `DataError`s naming the line and
 * the column: a column the file does not have (listing those it has), a cell that is not a number.
 * Options are checked at once: at least one feature, no feature twice, the target not a feature.
 *
 * @example
 * const samples$ = tabular(readCsv('chick-weights.csv', { columns: true, numeric: true }),
 *   { features: ['time', 'chick', 'diet'], target: 'weight' });
 * // { line: 2, index: 0, x: Float64Array [0, 1, 1], y: 42 }, …
 */
export function tabular(rows: Observable<CsvRow>, options: TabularOptions): Observable<Sample> {
  const { features, target } = options;
  if (!Array.isArray(features) || features.length === 0 || !features.every((f) => typeof f === 'string')) {
    throw new TypeError('tabular: features must be a non-empty array of column names');
  }
  if (typeof target !== 'string') throw new TypeError('tabular: target must be a column name');
  const seen = new Set<string>();
  for (const f of features) {
    if (seen.has(f)) throw new RangeError(`tabular: feature ${JSON.stringify(f)} is listed twice`);
    seen.add(f);
  }
  if (seen.has(target)) throw new RangeError(`tabular: the target ${JSON.stringify(target)} is also listed as a feature`);

  // Positions are resolved once per file (rows of one file share their CsvColumns).
  let columns: CsvColumns | null = null;
  let at: number[] = [];
  let targetAt = 0;
  const number = (row: CsvRow, i: number): number => {
    const v = row.fields[i];
    if (typeof v === 'number') return v;
    const parsed = v === undefined ? undefined : parseNumber(v);
    if (parsed === undefined) {
      const column = row.columns.names[i]!;
      throw new DataError(`tabular: line ${row.line}, column ${JSON.stringify(column)}: ${JSON.stringify(v)} is not a number`, { line: row.line, column });
    }
    return parsed;
  };
  return rows.pipe(
    map((row) => {
      if (row.columns !== columns) {
        try {
          at = features.map((f) => row.columns.require(f, 'tabular'));
          targetAt = row.columns.require(target, 'tabular');
        } catch (err) {
          const e = err as DataError;
          throw new DataError(`${e.message} (line ${row.line})`, { line: row.line, column: e.column });
        }
        columns = row.columns;
      }
      // From a slab (allocateFresh): a row of more than 8 features as a Float64Array of its own lives
      // outside V8's heap and cost about 0.7 µs per row, a quarter of learning from it (W5).
      const x = allocateFresh('float64', at.length) as Float64Array;
      for (let k = 0; k < at.length; k++) x[k] = number(row, at[k]!);
      return { line: row.line, index: row.index, x, y: number(row, targetAt) };
    }),
  );
}
