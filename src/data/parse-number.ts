/**
 * Strict decimal number parsing for data files.
 */

const ZERO = 48, NINE = 57, PLUS = 43, MINUS = 45, DOT = 46, LOWER_E = 101, UPPER_E = 69;

/**
 * The powers of ten that are exact doubles (10^22 is the last), as literals: a literal is read
 * correctly rounded, hence exactly, where `10 ** k` goes through pow(), which need not be exact.
 */
const EXACT_POWERS_OF_TEN = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22];
/** Significands up to 15 digits are exact integers in a double (10^15 < 2^53). */
const MAX_FAST_DIGITS = 15;

/**
 * The value of `t` if it is plain decimal notation, `[+-]?(digits[.digits?] | .digits)([eE][+-]?digits)?`
 * with ASCII digits and nothing else; NaN if it is not. A scanner rather than a regular expression
 * plus `Number()`: it reads the digits as it checks them and, when they fit the fast path below,
 * converts them itself (25 ns per cell instead of 45; readCsv calls it for every numeric cell).
 *
 * Fast path (Clinger's): with at most 15 significant digits the significand m is an exact
 * integer, and 10^k is exact for k ≤ 22, so m × 10^k or m / 10^k is one correctly rounded
 * operation — the same double `Number()` returns, which the spec requires to be correctly rounded.
 * Anything else (more digits, larger exponents) goes to `Number()`.
 */
function scanDecimal(t: string): number {
  const n = t.length;
  let i = 0, c = n > 0 ? t.charCodeAt(0) : 0;
  let negative = false;
  if (c === PLUS || c === MINUS) {
    negative = c === MINUS;
    c = ++i < n ? t.charCodeAt(i) : 0;
  }
  let m = 0, significant = 0, digits = 0, fraction = 0;
  while (c >= ZERO && c <= NINE) {
    if (m !== 0 || c !== ZERO) significant++;
    m = m * 10 + (c - ZERO);
    digits++;
    c = ++i < n ? t.charCodeAt(i) : 0;
  }
  if (c === DOT) {
    c = ++i < n ? t.charCodeAt(i) : 0;
    while (c >= ZERO && c <= NINE) {
      if (m !== 0 || c !== ZERO) significant++;
      m = m * 10 + (c - ZERO);
      digits++;
      fraction++;
      c = ++i < n ? t.charCodeAt(i) : 0;
    }
  }
  if (digits === 0) return NaN;
  let exponent = 0;
  if (c === LOWER_E || c === UPPER_E) {
    c = ++i < n ? t.charCodeAt(i) : 0;
    let expNegative = false;
    if (c === PLUS || c === MINUS) {
      expNegative = c === MINUS;
      c = ++i < n ? t.charCodeAt(i) : 0;
    }
    const expStart = i;
    // Capped: past 10^6 the value is 0 or ∞ anyway, and Number() decides which.
    while (c >= ZERO && c <= NINE) {
      if (exponent < 1e6) exponent = exponent * 10 + (c - ZERO);
      c = ++i < n ? t.charCodeAt(i) : 0;
    }
    if (i === expStart) return NaN;
    if (expNegative) exponent = -exponent;
  }
  if (i !== n) return NaN;
  const k = exponent - fraction;
  if (significant > MAX_FAST_DIGITS || k > 22 || k < -22) return Number(t);
  const magnitude = k < 0 ? m / EXACT_POWERS_OF_TEN[-k]! : m * EXACT_POWERS_OF_TEN[k]!;
  return negative ? -magnitude : magnitude;
}

/** Whether a cell may have whitespace to trim at either end (controls, spaces, and any non-ASCII). */
function mayNeedTrim(text: string): boolean {
  const first = text.charCodeAt(0), last = text.charCodeAt(text.length - 1);
  return first <= 32 || first >= 127 || last <= 32 || last >= 127;
}

/**
 * The finite number a cell spells in decimal notation (surrounding spaces allowed), or undefined:
 * '1', '-0.5', '.5', '1e-3', ' 2 ' parse; '', 'NaN', 'inf', '0x10', '1,5', '1e999' do not.
 *
 * NOTE: `Number(text)` alone is too lenient for data: it reads '' and '  ' as 0, '0x1f' as 31 and
 * 'Infinity' as ∞. Only plain decimal notation is a number here.
 *
 * @example
 * parseNumber('0.5');  // 0.5
 * parseNumber('');     // undefined
 */
export function parseNumber(text: string): number | undefined {
  // Trimming allocates; a cell that starts and ends with a printable ASCII character has nothing
  // to trim (String.prototype.trim removes only whitespace and line terminators).
  const v = scanDecimal(text.length > 0 && mayNeedTrim(text) ? text.trim() : text);
  return Number.isFinite(v) ? v : undefined;
}
