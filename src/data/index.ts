/**
 * Data sources: streaming CSV files as rows, and rows as numeric samples.
 */
export { readCsv, type CsvSource, type ReadCsvOptions } from './read-csv.js';
export { CsvRow, CsvColumns, type CsvValue } from './csv-row.js';
export { tabular, type Sample, type TabularOptions } from './tabular.js';
export { parseNumber } from './parse-number.js';
export { DataError } from './data-error.js';
