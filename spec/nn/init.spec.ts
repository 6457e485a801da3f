/**
 * Initialisers against torch.nn.init (bounds, stds and gains from spec/reference/torch-training.json,
 * in rxgrad's [in, out] layout) and statistically on large samples.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Rng, type Tensor } from '../../src/index.js';
import {
  type KaimingOptions, type Nonlinearity, calculateFans, calculateGain, kaimingNormal, kaimingStd, kaimingUniform, linearBias, linearWeight,
  xavierNormal, xavierStd, xavierUniform,
} from '../../src/nn/index.js';

interface ShapeFacts {
  torch_shape: number[];
  rxgrad_shape: number[] | null;
  fan_in: number;
  fan_out: number;
  xavier_uniform_bound: Record<string, number>;
  xavier_normal_std: Record<string, number>;
  kaiming_uniform_bound: Record<string, number>;
  kaiming_normal_std: Record<string, number>;
  linear_default_weight_bound: number;
  linear_default_bias_bound: number;
}
const ref = JSON.parse(readFileSync(new URL('../reference/torch-training.json', import.meta.url), 'utf8')) as {
  init: { gains: Record<string, number>; shapes: ShapeFacts[] };
};

/** PyTorch's nonlinearity names → rxgrad's. */
const NAME: Record<string, Nonlinearity> = { linear: 'linear', sigmoid: 'sigmoid', tanh: 'tanh', relu: 'relu', leaky_relu: 'leakyRelu', selu: 'selu' };

/**
 * NOTE: the JSON evaluates algebraically equal forms (gain·√(6/(fi + fo)), gain·√(3/fan)); PyTorch's
 * code, which rxgrad follows, computes √3·std. They differ in the last ulps, so bounds are compared
 * with a relative tolerance; stds are the same expression and must agree to the bit.
 */
const BOUND_RTOL = 4e-16;
const closeRel = (a: number, b: number) => expect(Math.abs(a - b), `${a} vs ${b}`).toBeLessThanOrEqual(BOUND_RTOL * Math.abs(b));

/** "fan_in/leaky_relu(a=sqrt(5))" → kaiming options. */
function kaimingKey(key: string): KaimingOptions {
  const m = /^(fan_in|fan_out)\/(\w+)(?:\(a=(sqrt\(5\)|[\d.]+)\))?/.exec(key)!;
  const a = m[3] === undefined ? undefined : m[3] === 'sqrt(5)' ? Math.sqrt(5) : Number(m[3]);
  return { mode: m[1] === 'fan_in' ? 'fanIn' : 'fanOut', nonlinearity: NAME[m[2]!]!, ...(a === undefined ? {} : { a }) };
}

describe('calculateGain vs torch.nn.init.calculate_gain', () => {
  it.each(Object.entries(ref.init.gains))('%s', (key, gain) => {
    const m = /^(\w+)(?:\(([\d.]+)\))?$/.exec(key)!;
    expect(calculateGain(NAME[m[1]!]!, m[2] === undefined ? undefined : Number(m[2]))).toBe(gain);
  });

  it('conv names are linear; unknown names and bad slopes are refused', () => {
    expect(calculateGain('conv2d')).toBe(1);
    expect(calculateGain('convTranspose3d')).toBe(1);
    expect(() => calculateGain('swish' as never)).toThrow(/Unsupported nonlinearity swish/);
    expect(() => calculateGain('leakyRelu', NaN)).toThrow(/negative_slope NaN not a valid number/);
    expect(() => calculateGain('leakyRelu', '0.1' as never)).toThrow(/not a valid number/);
  });
});

describe.each(ref.init.shapes.map((s) => [JSON.stringify(s.torch_shape), s] as const))('torch shape %s', (_, s) => {
  if (s.rxgrad_shape === null) {
    it('has no rxgrad layout (a conv kernel): fans are refused', () => {
      expect(() => calculateFans(s.torch_shape)).toThrow(/weight matrix \[in, out\] only/);
    });
    return;
  }
  const shape = s.rxgrad_shape;

  it('fans of the [in, out] layout are PyTorch\'s fans of the transposed weight', () => {
    expect(calculateFans(shape)).toEqual({ fanIn: s.fan_in, fanOut: s.fan_out });
  });

  it('xavier bounds and stds', () => {
    for (const [nl, bound] of Object.entries(s.xavier_uniform_bound)) closeRel(Math.sqrt(3) * xavierStd(shape, calculateGain(NAME[nl]!)), bound);
    for (const [nl, std] of Object.entries(s.xavier_normal_std)) expect(xavierStd(shape, calculateGain(NAME[nl]!))).toBe(std);
  });

  it('kaiming bounds and stds (fan_in and fan_out, every nonlinearity and slope)', () => {
    for (const [key, bound] of Object.entries(s.kaiming_uniform_bound)) closeRel(Math.sqrt(3) * kaimingStd(shape, kaimingKey(key)), bound);
    for (const [key, std] of Object.entries(s.kaiming_normal_std)) expect(kaimingStd(shape, kaimingKey(key))).toBe(std);
  });

  it('nn.Linear defaults: weight kaiming_uniform_(a=√5), bias U(±1/√in)', () => {
    closeRel(Math.sqrt(3) * kaimingStd(shape, { a: Math.sqrt(5) }), s.linear_default_weight_bound);
    const bias = linearBias(s.fan_in, 10000, { seed: 1 });
    expect(maxAbs(bias)).toBeLessThanOrEqual(s.linear_default_bias_bound);
    expect(maxAbs(bias)).toBeGreaterThan(0.99 * s.linear_default_bias_bound);
  });
});

function stats(t: Tensor): { mean: number; std: number } {
  const d = t.data;
  let m = 0;
  for (const v of d) m += v;
  m /= d.length;
  let s = 0;
  for (const v of d) s += (v - m) ** 2;
  return { mean: m, std: Math.sqrt(s / (d.length - 1)) };
}
const maxAbs = (t: Tensor) => Array.from(t.data).reduce((a, v) => Math.max(a, Math.abs(v)), 0);

describe('samples (60 000 draws each)', () => {
  const shape = [200, 300];
  const n = 60000;

  it.each([
    ['xavierUniform', xavierUniform(shape, { gain: 5 / 3, seed: 11 }), Math.sqrt(3) * xavierStd(shape, 5 / 3)],
    ['kaimingUniform fanOut relu', kaimingUniform(shape, { mode: 'fanOut', nonlinearity: 'relu', seed: 12 }), Math.sqrt(3) * kaimingStd(shape, { mode: 'fanOut', nonlinearity: 'relu' })],
    ['linearWeight', linearWeight(shape, { seed: 13 }), 1 / Math.sqrt(200)],
  ])('%s: inside (−bound, bound), reaching near it, uniform moments', (_, t, bound) => {
    expect(t.shape).toEqual(shape);
    expect(maxAbs(t)).toBeLessThanOrEqual(bound * (1 + 1e-15));
    expect(maxAbs(t)).toBeGreaterThan(0.999 * bound);
    const { mean, std } = stats(t);
    const sd = bound / Math.sqrt(3);
    expect(Math.abs(mean)).toBeLessThan((5 * sd) / Math.sqrt(n));
    expect(Math.abs(std / sd - 1)).toBeLessThan(0.01);
    // A quarter of the draws in each quarter of the interval.
    const quarter = Array.from(t.data).filter((v) => v > bound / 2).length / n;
    expect(Math.abs(quarter - 0.25)).toBeLessThan(0.01);
  });

  it.each([
    ['xavierNormal', xavierNormal(shape, { seed: 21 }), xavierStd(shape)],
    ['kaimingNormal fanIn default', kaimingNormal(shape, { seed: 22 }), kaimingStd(shape)],
    ['kaimingNormal fanOut tanh', kaimingNormal(shape, { mode: 'fanOut', nonlinearity: 'tanh', seed: 23 }), kaimingStd(shape, { mode: 'fanOut', nonlinearity: 'tanh' })],
  ])('%s: normal with the right std', (_, t, sd) => {
    const { mean, std } = stats(t);
    expect(Math.abs(mean)).toBeLessThan((5 * sd) / Math.sqrt(n));
    expect(Math.abs(std / sd - 1)).toBeLessThan(0.01);
    const within = Array.from(t.data).filter((v) => Math.abs(v) < sd).length / n;
    expect(Math.abs(within - 0.6827)).toBeLessThan(0.01);
  });

  it('kaiming defaults (fanIn, leakyRelu with a = 0) are relu\'s: std √2/√in', () => {
    expect(kaimingStd([50, 7])).toBe(Math.sqrt(2) / Math.sqrt(50));
    expect(kaimingStd([50, 7], { mode: 'fanOut' })).toBe(Math.sqrt(2) / Math.sqrt(7));
    expect(() => kaimingStd([50, 7], { mode: 'fan_in' as never })).toThrow(/Mode fan_in not supported/);
  });
});

describe('generators and dtypes', () => {
  it('same seed, same tensor; another seed, another tensor; an rng advances', () => {
    expect(xavierUniform([3, 4], { seed: 5 }).data).toEqual(xavierUniform([3, 4], { seed: 5 }).data);
    expect(xavierUniform([3, 4], { seed: 5 }).data).not.toEqual(xavierUniform([3, 4], { seed: 6 }).data);
    const rng = new Rng(9);
    expect(kaimingNormal([3, 4], { rng }).data).not.toEqual(kaimingNormal([3, 4], { rng }).data);
  });

  it('float32 on request', () => {
    expect(linearWeight([3, 4], { seed: 1, dtype: 'float32' }).dtype).toBe('float32');
    expect(linearBias(3, 4, { seed: 1, dtype: 'float32' }).dtype).toBe('float32');
  });

  it('fans need a matrix', () => {
    expect(() => xavierUniform([5])).toThrow(/weight matrix \[in, out\] only, got shape \[5\]/);
    expect(linearBias(0, 3, { seed: 1 }).data).toEqual(new Float64Array(3));
  });
});
