import { Tensor, allocate } from '../tensor/index.js';
import { type ClassLossAttrs, classRows, reduceTerms, reductionOf, sharedTermGradient } from './loss-util.js';
import { defineOp } from './op.js';

/**
 * Negative log-likelihood of integer class labels given log-probabilities, as PyTorch's
 * `NLLLoss(weight, ignore_index, reduction)`, with the classes on the last axis. Pair it with
 * logSoftmax (together they are {@link crossEntropy}).
 *
 * Forward: for x [..., C] and labels y [...], terms `−w_y·x_y` (0 for rows whose label is
 * ignoreIndex), reduced by `reduction`; 'mean' divides by the sum of the kept rows' weights.
 * Backward: `∂x = −ĝ·w_y` at each kept row's labelled class, 0 elsewhere (ĝ is g, or g/Σw for 'mean').
 * Labels get no gradient.
 *
 * NOTE: a batch where every row is ignored gives NaN with 'mean' (0/0), as PyTorch.
 *
 * @example
 * nll(tensor([[-1, -2]]), tensor([1]));                  // 2
 * logits.pipe(logSoftmax(), nll(labels));
 */
export const nll = defineOp<ClassLossAttrs, 2>({
  name: 'nll',
  arity: 2,
  recyclable: true,
  differentiable: [true, false],
  forward: ([x, labels], attrs) => {
    const reduction = reductionOf(attrs);
    const { classes, weights, total } = classRows(x, labels, attrs);
    const C = x.shape[x.rank - 1]!;
    const terms = allocate(x.dtype, labels.size);
    for (let r = 0; r < terms.length; r++) if (classes[r]! >= 0) terms[r] = -weights[r]! * x.data[r * C + classes[r]!]!;
    return reduceTerms(terms, labels.shape, reduction, total);
  },
  backward: (g, { inputs: [x, labels], attrs }, needs) => {
    if (!needs[0]) return [null, null];
    const { classes, weights, total } = classRows(x, labels, attrs);
    const reduction = reductionOf(attrs), perTerm = reduction === 'none', gd = g.data, shared = sharedTermGradient(g, total, reduction);
    const C = x.shape[x.rank - 1]!;
    const dx = allocate(x.dtype, x.size);
    for (let r = 0; r < classes.length; r++) if (classes[r]! >= 0) dx[r * C + classes[r]!] = -(perTerm ? gd[r]! : shared) * weights[r]!;
    return [new Tensor(dx, x.shape), null];
  },
});
