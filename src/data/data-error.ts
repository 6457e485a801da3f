/**
 * The error of a data source: where in the file (line, column) the problem is.
 */
export class DataError extends Error {
  override readonly name = 'DataError';
  /** 1-based line in the file (the header is line 1), when the problem has one. */
  readonly line: number | undefined;
  /** The column's name, when the problem is in one cell. */
  readonly column: string | undefined;

  constructor(message: string, where: { line?: number; column?: string; cause?: unknown } = {}) {
    super(message, where.cause === undefined ? undefined : { cause: where.cause });
    this.line = where.line;
    this.column = where.column;
  }
}
