/**
 * parseNumber: the scanner must accept exactly what the definition accepts. The definition is the
 * regular expression it replaced (kept here as the oracle): trim, plain decimal notation with ASCII
 * digits, and a finite result.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseNumber } from '../../src/data/index.js';

const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
function oracle(text: string): number | undefined {
  const t = text.trim();
  if (!DECIMAL.test(t)) return undefined;
  const v = Number(t);
  return Number.isFinite(v) ? v : undefined;
}

/** Strings near the grammar: its own characters, whitespace (ASCII and not) and a few intruders. */
const nearDecimal = fc
  .array(fc.constantFrom('0', '1', '5', '9', '+', '-', '.', 'e', 'E', ' ', '\t', '\n', '\u00a0', '\u2003', '\ufeff', 'x', ',', '٣', 'I'), { maxLength: 12 })
  .map((cs) => cs.join(''));

describe('parseNumber', () => {
  it('agrees with the regular-expression definition on strings near the grammar', () => {
    fc.assert(fc.property(nearDecimal, (s) => Object.is(parseNumber(s), oracle(s))), { numRuns: 20_000 });
  });

  it('agrees on arbitrary strings and on every way JavaScript prints a double', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 16 }), (s) => Object.is(parseNumber(s), oracle(s))), { numRuns: 5_000 });
    const printed = fc.double().chain((d) => fc.constantFrom(String(d), d.toExponential(), d.toFixed(3), ` ${d} `, `+${d}`, `${d}`.toUpperCase()));
    fc.assert(fc.property(printed, (s) => Object.is(parseNumber(s), oracle(s))), { numRuns: 5_000 });
  });

  it('converts decimals of up to 15 digits itself, to the same double as Number(), at and around the fast path', () => {
    const digits = (max: number) => fc.array(fc.constantFrom('0', '1', '2', '3', '4', '5', '6', '7', '8', '9'), { maxLength: max }).map((d) => d.join(''));
    const decimal = fc
      .record({ sign: fc.constantFrom('', '-', '+'), int: digits(12), frac: fc.option(digits(12)), exp: fc.option(fc.integer({ min: -45, max: 45 })) })
      .map(({ sign, int, frac, exp }) => `${sign}${int}${frac === null ? '' : `.${frac}`}${exp === null ? '' : `e${exp}`}`);
    fc.assert(fc.property(decimal, (s) => Object.is(parseNumber(s), oracle(s))), { numRuns: 50_000 });
  });

  it('reads plain decimals, with or without surrounding whitespace, and nothing else', () => {
    expect(['1', '-0.5', '.5', '5.', '+7', '1e-3', '1E+3', ' 2 ', '\t3\n', '\u00a04\u00a0', '-0'].map(parseNumber)).toEqual([1, -0.5, 0.5, 5, 7, 0.001, 1000, 2, 3, 4, -0]);
    for (const cell of ['', ' ', '.', '-', '+.', 'e1', '1e', '1e+', '.e1', '1..2', '1.2.3', 'NaN', 'Infinity', '-Infinity', '0x10', '0b1', '1_000', '1,5', '--1', '1e999', '٣', '1 2']) {
      expect(parseNumber(cell), JSON.stringify(cell)).toBeUndefined();
    }
  });
});
