/**
 * Layers and initialisers: PyTorch's nn.Linear default initialisation and torch.nn.init's
 * formulas, for rxgrad's [in, out] weight layout.
 */
export {
  calculateGain, calculateFans, xavierStd, xavierUniform, xavierNormal, kaimingStd, kaimingUniform, kaimingNormal, linearWeight, linearBias,
  type Nonlinearity, type InitOptions, type Initializer, type XavierOptions, type KaimingOptions,
} from './init.js';
export { linear, type Linear, type LinearOptions } from './linear.js';
export { mlp, type Mlp, type MlpOptions, type Activation } from './mlp.js';
