import { defineOp } from '../index-core.js';

/**
 * Passes values through unchanged and stops the gradient: nothing upstream of a detached node is
 * trained through it (PyTorch's `.detach()`, TensorFlow's `stop_gradient`).
 *
 * Forward: `out = x`. Backward: none (the input is not differentiable through this node).
 *
 * @example
 * const target = teacher.pipe(detach());   // use a prediction as a fixed target
 */
export const detach = defineOp({
  name: 'detach',
  arity: 1,
  differentiable: [false],
  forward: ([x]) => x,
  backward: () => [null],
});
