import { Tensor, allocate, kernels } from '../tensor/index.js';
import { type ClassLossAttrs, classRows, reduceTerms, reductionOf, sharedTermGradient } from './loss-util.js';
import { defineOp } from './op.js';

/**
 * Softmax cross-entropy with integer class labels, as PyTorch's `CrossEntropyLoss(weight,
 * ignore_index, reduction)`, with the classes on the last axis.
 *
 * Forward: for logits x [..., C] and labels y [...], terms `−w_y·logSoftmax(x)_y` (0 for rows whose
 * label is ignoreIndex), reduced by `reduction`; 'mean' divides by the sum of the kept rows'
 * weights (the number of kept rows without `weight`). Backward: `∂x = ĝ·w_y·(softmax(x) − onehot(y))`
 * on kept rows, 0 on ignored rows (ĝ is g, or g/Σw for 'mean'). Labels get no gradient.
 *
 * NOTE: log-softmax is computed stably (log-sum-exp), so any finite logits give a finite loss; a
 * batch where every row is ignored gives NaN with 'mean' (0/0), as PyTorch.
 *
 * @example
 * crossEntropy(tensor([[0, 0]]), tensor([1]));                     // log 2 = 0.6931471805599453
 * const loss = crossEntropy(logits, labels, { ignoreIndex: -1 });
 */
export const crossEntropy = defineOp<ClassLossAttrs, 2>({
  name: 'crossEntropy',
  arity: 2,
  recyclable: true,
  differentiable: [true, false],
  forward: ([x, labels], attrs) => {
    const reduction = reductionOf(attrs);
    const { classes, weights, total } = classRows(x, labels, attrs);
    const C = x.shape[x.rank - 1]!;
    const lsm = kernels.logSoftmax(x, -1);
    const terms = allocate(x.dtype, labels.size);
    for (let r = 0; r < terms.length; r++) if (classes[r]! >= 0) terms[r] = -weights[r]! * lsm.data[r * C + classes[r]!]!;
    return reduceTerms(terms, labels.shape, reduction, total);
  },
  backward: (g, { inputs: [x, labels], attrs }, needs) => {
    if (!needs[0]) return [null, null];
    const { classes, weights, total } = classRows(x, labels, attrs);
    const reduction = reductionOf(attrs), perTerm = reduction === 'none', gd = g.data, shared = sharedTermGradient(g, total, reduction);
    const C = x.shape[x.rank - 1]!;
    const probs = kernels.softmax(x, -1).data;
    const dx = allocate(x.dtype, x.size);
    for (let r = 0; r < classes.length; r++) {
      const k = classes[r]!;
      if (k < 0) continue;
      const s = (perTerm ? gd[r]! : shared) * weights[r]!;
      // NOTE: p_k − 1 is written as −Σ_{j≠k} p_j: when p_k rounds to 1 the difference would be 0,
      // though the other probabilities (and so the true gradient) are still positive.
      let others = 0;
      for (let j = 0; j < C; j++) {
        if (j === k) continue;
        dx[r * C + j] = s * probs[r * C + j]!;
        others += probs[r * C + j]!;
      }
      dx[r * C + k] = -s * others;
    }
    return [new Tensor(dx, x.shape), null];
  },
});
