/** Every kernel, for ops and for users who want plain functions on tensors. */
export { unary, binary, broadcastLoop, broadcastStrides, broadcastTo, add, sub, mul, div, scale, neg } from './elementwise.js';
export { sum, mean, max, min, sumTo, reductionIndex } from './reduce.js';
export { matmul, gemm, gemmNT, gemmTN, gemmTT, setMatmulBackend, matmulBackend, gemmKernelFor, wasmAvailable, type MatmulBackend } from './matmul.js';
export { reshape, resolveReshape, permute, inversePerm, normalizePerm, transpose, slice, resolveSlice, copyBlock, concat, gather, forEachGathered } from './layout.js';
export { erf, erfc, normalCdf, normalPdf } from './special.js';
export { forEachLane, softmax, logSoftmax } from './softmax.js';
