import { type Tensor, kernels } from '../tensor/index.js';
import { defineOp } from './op.js';
import { denseGrads } from './grad-util.js';

/** A 1-D operand as the matrix torch.matmul treats it as: a row on the left, a column on the right. */
function asMatrix(x: Tensor, side: 'left' | 'right'): Tensor {
  if (x.rank !== 1) return x;
  return kernels.reshape(x, side === 'left' ? [1, x.shape[0]!] : [x.shape[0]!, 1]);
}

/**
 * Matrix product with `torch.matmul` semantics: 2-D × 2-D, batched N-D with broadcast batch
 * dimensions, and 1-D operands promoted to a row (left) or a column (right) and squeezed back.
 *
 * Forward: `out = a · b`. Backward: `∂a = g · bᵀ`, `∂b = aᵀ · g`, each summed over the batch
 * dimensions its operand was broadcast along.
 *
 * @example
 * matmul(tensor([[1, 2]]), tensor([[3], [4]]));   // [[11]]
 * x.pipe(matmul(W1));                              // x [batch, in] · W1 [in, out]
 */
export const matmul = defineOp({
  name: 'matmul',
  arity: 2,
  recyclable: true,
  forward: ([a, b]) => kernels.matmul(a, b),
  backward: (g, { inputs: [a, b] }, needs, into) => {
    // Fast path: a vector or matrix times a matrix (every dense layer): ∂a = g·bᵀ and ∂b = aᵀ·g
    // read the operands in place through the transposed kernels, with no reshapes.
    if (b.rank === 2 && (a.rank === 1 || a.rank === 2) && a.dtype === b.dtype && g.dtype === a.dtype) {
      const out: (Tensor | null)[] = into ?? [null, null];
      denseGrads(g, a, b, needs[0]!, needs[1]!, out);
      return out;
    }
    const am = asMatrix(a, 'left'), bm = asMatrix(b, 'right');
    // g with the squeezed vector dimensions restored, so it is [..., m, n].
    let gShape = g.shape.slice();
    if (a.rank === 1) gShape.splice(gShape.length - (b.rank === 1 ? 0 : 1), 0, 1);
    if (b.rank === 1) gShape = [...gShape, 1];
    const gm = kernels.reshape(g, gShape);
    let da: Tensor | null = null, db: Tensor | null = null;
    if (needs[0]) {
      const full = kernels.matmul(gm, bm, { transposeB: true });
      da = kernels.reshape(kernels.sumTo(full, am.shape), a.shape).astype(a.dtype);
    }
    if (needs[1]) {
      const full = kernels.matmul(am, gm, { transposeA: true });
      db = kernels.reshape(kernels.sumTo(full, bm.shape), b.shape).astype(b.dtype);
    }
    return [da, db];
  },
});
