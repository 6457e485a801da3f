/**
 * Strict decimal number parsing for data files.
 */

// NOTE: `Number(text)` is too lenient for data: it reads '' and '  ' as 0, '0x1f' as 31 and
// 'Infinity' as ∞. Only plain decimal notation is a number here.
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * The finite number a cell spells in decimal notation (surrounding spaces allowed), or undefined:
 * '1', '-0.5', '.5', '1e-3', ' 2 ' parse; '', 'NaN', 'inf', '0x10', '1,5', '1e999' do not.
 *
 * @example
 * parseNumber('0.5');  // 0.5
 * parseNumber('');     // undefined
 */
export function parseNumber(text: string): number | undefined {
  const t = text.trim();
  if (!DECIMAL.test(t)) return undefined;
  const v = Number(t);
  return Number.isFinite(v) ? v : undefined;
}
