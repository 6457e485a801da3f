"""PyTorch float64 reference values for every op in OPS-CONTRACT.md -> torch-ops.json.

Run:  /work/torchvenv/bin/python spec/reference/make_torch_ops.py   (from the repo root)

Every case records: the rxgrad op name and attrs (exactly as the contract spells them), the inputs
(nested lists plus shapes, float64; labels are integer-valued floats as rxgrad stores them), which
inputs are differentiable, the forward output, a fixed random upstream gradient G of the output's
shape, and the gradient of sum(output * G) with respect to every differentiable input (computed by
torch.autograd.grad(output, inputs, G)). Non-finite numbers are written as the strings "Infinity",
"-Infinity" and "NaN" (JSON has no literal for them). Inputs come from numpy's default_rng(SEED);
re-running the script reproduces the file byte for byte with the same torch version.

Mapping rxgrad op -> PyTorch call (x, y are float64 tensors; labels are cast with .long()):
  add, sub, mul, div        torch.add / torch.sub / torch.mul / torch.div (broadcasting)
  neg, exp, log, sqrt, abs  torch.neg / exp / log / sqrt / abs
  square                    torch.square
  pow {exponent}            torch.pow(x, exponent)         (python float exponent)
  sigmoid, tanh, relu       torch.sigmoid / torch.tanh / torch.relu
  leakyRelu {slope}         F.leaky_relu(x, negative_slope=slope)            default 0.01
  elu {alpha}               F.elu(x, alpha=alpha)                             default 1
  softplus {beta,threshold} F.softplus(x, beta=beta, threshold=threshold)    defaults 1, 20
  gelu {approximate}        F.gelu(x, approximate=...)                        default 'none'
  softmax {axis}            torch.softmax(x, dim=axis)                        default -1
  logSoftmax {axis}         torch.log_softmax(x, dim=axis)                    default -1
  sum {axes,keepdims}       torch.sum(x, dim=axes, keepdim=keepdims)  (all axes when omitted)
  mean {axes,keepdims}      torch.mean(x, dim=axes, keepdim=keepdims)
  max {axes,keepdims}       torch.amax(x, dim=axes, keepdim=keepdims) (ties share g equally)
  matmul                    torch.matmul (1-D promotion, batched broadcast)
  transpose {perm}          x.permute(perm); default x.transpose(-2, -1); rank < 2: x itself
  reshape {shape}           torch.reshape(x, shape)
  concat {axis}             torch.cat(inputs, dim=axis)                       default 0
  slice {start,end}         x[start0:end0, start1:end1, ...] (Python slicing; missing -> full axis)
  mse {reduction}           F.mse_loss(p, y, reduction)
  l1 {reduction}            F.l1_loss(p, y, reduction)
  huber {reduction,delta}   F.huber_loss(p, y, reduction, delta)
  bce {reduction}           F.binary_cross_entropy(p, y, reduction)
  bceWithLogits {reduction,posWeight}
                            F.binary_cross_entropy_with_logits(x, y, reduction,
                                                               pos_weight=torch.tensor(posWeight))
  crossEntropy {reduction,ignoreIndex,weight}
                            F.cross_entropy(logits.movedim(-1, 1), labels.long(), weight, ignore_index,
                                            reduction); rxgrad keeps classes on the LAST axis, torch
                            on axis 1, so logits of rank >= 3 are moved (and 'none' outputs already
                            come back in label layout). 1-D logits [C] with a scalar label use torch's
                            unbatched form.
  nll                       F.nll_loss, same layout handling as crossEntropy.
"""
from __future__ import annotations

import json
import math
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

SEED = 20260601
torch.set_default_dtype(torch.float64)
rng = np.random.default_rng(SEED)
CASES: list[dict] = []


# ---------------------------------------------------------------- encoding helpers

def enc(v):
    """Nested list with non-finite numbers as strings."""
    if isinstance(v, list):
        return [enc(x) for x in v]
    v = float(v)
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "Infinity" if v > 0 else "-Infinity"
    return v


def tjson(t: torch.Tensor) -> dict:
    t = t.detach().to(torch.float64)
    return {"shape": list(t.shape), "data": enc(t.tolist())}


def T(a) -> torch.Tensor:
    return torch.tensor(np.asarray(a, dtype=np.float64))


# ---------------------------------------------------------------- input generators

def uni(shape, lo=-2.0, hi=2.0):
    return rng.uniform(lo, hi, size=shape)


def pos(shape, lo=0.2, hi=3.0):
    return rng.uniform(lo, hi, size=shape)


def away(shape, lo=0.5, hi=2.0):
    """Magnitudes in [lo, hi] with random signs: safe denominators, away from kinks at 0."""
    return rng.uniform(lo, hi, size=shape) * rng.choice([-1.0, 1.0], size=shape)


def labels(shape, classes):
    return rng.integers(0, classes, size=shape).astype(np.float64)


EXTREMES = [-500.0, -50.0, -5.0, -1.0, 0.0, 1.0, 5.0, 50.0, 500.0]


# ---------------------------------------------------------------- the case recorder

def case(op, name, fn, inputs, attrs=None, differentiable=None, torch_call="", note=None):
    attrs = {} if attrs is None else attrs
    tensors = [T(x) for x in inputs]
    diff = differentiable if differentiable is not None else [True] * len(tensors)
    leaves = [t.clone().requires_grad_(d) for t, d in zip(tensors, diff)]
    out = fn(*leaves)
    g = T(rng.standard_normal(tuple(out.shape)))
    wanted = [l for l, d in zip(leaves, diff) if d]
    got = torch.autograd.grad(out, wanted, g, allow_unused=True)
    grads, k = [], 0
    for l, d in zip(leaves, diff):
        if d:
            gr = got[k]
            k += 1
            grads.append(tjson(gr if gr is not None else torch.zeros_like(l)))
        else:
            grads.append(None)
    entry = {
        "op": op,
        "name": f"{op}/{name}",
        "torch": torch_call,
        "attrs": attrs,
        "inputs": [tjson(t) for t in tensors],
        "differentiable": diff,
        "output": tjson(out),
        "upstream": tjson(g),
        "grads": grads,
    }
    if note:
        entry["note"] = note
    CASES.append(entry)


def dims(axes, rank):
    if axes is None:
        return tuple(range(rank))
    return tuple(axes) if isinstance(axes, (list, tuple)) else (axes,)


# ---------------------------------------------------------------- binary elementwise

BINARY = {"add": torch.add, "sub": torch.sub, "mul": torch.mul, "div": torch.div}
BIN_SHAPES = [
    ("same-2x3", (2, 3), (2, 3)),
    ("broadcast-row", (2, 3), (3,)),
    ("broadcast-col-row", (2, 1), (1, 3)),
    ("broadcast-lhs", (3,), (4, 3)),
    ("vector-scalar", (3,), ()),
    ("scalar-scalar", (), ()),
    ("rank3-rank2", (2, 3, 4), (3, 1)),
    ("both-expand", (4, 1, 3), (2, 1)),
]
for op, fn in BINARY.items():
    for name, sa, sb in BIN_SHAPES:
        b = away(sb) if op == "div" else uni(sb)
        case(op, name, fn, [uni(sa), b], torch_call=f"torch.{op}(a, b)")
    # large magnitudes: every binary op is exact or correctly rounded there
    big_b = away((6,), 50.0, 500.0) if op == "div" else np.array([-500.0, -50.0, 50.0, 500.0, 0.5, -0.5])
    case(op, "extremes", fn, [np.array([-500.0, 500.0, -50.0, 50.0, 0.0, 1.0]), big_b], torch_call=f"torch.{op}(a, b)")

# ---------------------------------------------------------------- unary elementwise

UNARY = {"neg": torch.neg, "exp": torch.exp, "log": torch.log, "sqrt": torch.sqrt, "abs": torch.abs,
         "square": torch.square, "sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": torch.relu}
for op, fn in UNARY.items():
    positive_only = op in ("log", "sqrt")
    call = f"torch.{op}(x)"
    case(op, "random-2x3", fn, [pos((2, 3)) if positive_only else uni((2, 3), -3, 3)], torch_call=call)
    case(op, "scalar", fn, [np.float64(1.7)], torch_call=call)
    case(op, "rank3", fn, [pos((2, 2, 3)) if positive_only else uni((2, 2, 3), -3, 3)], torch_call=call)
    if positive_only:
        case(op, "extremes", fn, [np.array([1e-300, 1e-50, 1e-5, 1.0, 50.0, 500.0, 1e50, 1e300])], torch_call=call)
        case(op, "at-zero", fn, [np.array([0.0, 0.0, 1.0])], torch_call=call,
             note="derivative at 0 is g/0: +Infinity for g > 0, -Infinity for g < 0 (PyTorch)")
    else:
        case(op, "extremes", fn, [np.array(EXTREMES)], torch_call=call)
    if op in ("abs", "relu"):
        case(op, "zeros", fn, [np.array([[0.0, -0.0, 1.5], [-2.5, 0.0, 3.0]])], torch_call=call,
             note="derivative at 0 is 0 (abs: sign(0); relu: [x > 0])")

# pow
for p in [2.0, 3.0, -1.0, 0.5, 1.5, -2.5, 0.0, 1.0, 10.0]:
    case("pow", f"p={p:g}", lambda x, p=p: torch.pow(x, p), [pos((2, 3))], {"exponent": p},
         torch_call=f"torch.pow(x, {p!r})")
case("pow", "integer-on-negatives", lambda x: torch.pow(x, 3.0), [np.array([-2.0, -0.5, 0.0, 0.5, 2.0])],
     {"exponent": 3}, torch_call="torch.pow(x, 3.0)")
case("pow", "square-at-zero", lambda x: torch.pow(x, 2.0), [np.array([-1.5, 0.0, 1.5])], {"exponent": 2},
     torch_call="torch.pow(x, 2.0)")
case("pow", "sqrt-at-zero", lambda x: torch.pow(x, 0.5), [np.array([0.0, 0.25, 4.0])], {"exponent": 0.5},
     torch_call="torch.pow(x, 0.5)", note="0.5 * 0^(-0.5) * g = g * Infinity")
case("pow", "zero-exponent", lambda x: torch.pow(x, 0.0), [np.array([0.0, -2.0, 3.0])], {"exponent": 0},
     torch_call="torch.pow(x, 0.0)",
     note="PyTorch pow_backward returns zeros when exponent == 0, also at x = 0 (naive 0 * 0^-1 would be NaN)")
case("pow", "fractional-on-negative", lambda x: torch.pow(x, 1.5), [np.array([-1.0, 1.0])], {"exponent": 1.5},
     torch_call="torch.pow(x, 1.5)", note="NaN like Math.pow(-1, 1.5)")

# leakyRelu, elu
lx = np.array([-3.0, -0.5, 0.0, 0.5, 3.0, -500.0, 500.0, -50.0, 50.0])
case("leakyRelu", "default-slope", lambda x: F.leaky_relu(x), [lx], {}, torch_call="F.leaky_relu(x)",
     note="slope at x = 0 (PyTorch: x > 0 ? g : slope*g)")
for s in [0.2, 0.0, 1.5]:
    case("leakyRelu", f"slope={s:g}", lambda x, s=s: F.leaky_relu(x, negative_slope=s), [lx], {"slope": s},
         torch_call=f"F.leaky_relu(x, negative_slope={s!r})")
case("leakyRelu", "random-2x3", lambda x: F.leaky_relu(x, 0.1), [uni((2, 3))], {"slope": 0.1},
     torch_call="F.leaky_relu(x, negative_slope=0.1)")
case("elu", "default-alpha", lambda x: F.elu(x), [lx], {}, torch_call="F.elu(x)", note="alpha*exp(0) = alpha at x = 0")
for a in [0.5, 2.0]:
    case("elu", f"alpha={a:g}", lambda x, a=a: F.elu(x, alpha=a), [lx], {"alpha": a}, torch_call=f"F.elu(x, alpha={a!r})")
case("elu", "small-negatives", lambda x: F.elu(x), [np.array([-1e-10, -1e-5, -1e-3])], {}, torch_call="F.elu(x)",
     note="expm1 territory: naive exp(x) - 1 loses digits here")

# softplus
sx = np.array([-500.0, -50.0, -30.0, -1.0, 0.0, 1.0, 19.9, 20.0, 20.1, 50.0, 500.0])
case("softplus", "defaults", lambda x: F.softplus(x), [sx], {}, torch_call="F.softplus(x)",
     note="x = 20 is NOT above threshold (strict >): log1p(exp(20)); 20.1 returns x")
case("softplus", "beta=2", lambda x: F.softplus(x, beta=2.0), [np.array([-500.0, -3.0, 0.0, 0.7, 9.9, 10.0, 10.1, 500.0])],
     {"beta": 2}, torch_call="F.softplus(x, beta=2.0)", note="threshold compares beta*x: 10.1*2 > 20")
case("softplus", "beta=0.5-threshold=5", lambda x: F.softplus(x, beta=0.5, threshold=5.0),
     [np.array([-20.0, -1.0, 0.0, 3.0, 9.9, 10.0, 10.1, 40.0])], {"beta": 0.5, "threshold": 5},
     torch_call="F.softplus(x, beta=0.5, threshold=5.0)")
case("softplus", "random-2x3", lambda x: F.softplus(x), [uni((2, 3), -4, 4)], {}, torch_call="F.softplus(x)")

# gelu
gx = np.array([-500.0, -50.0, -4.0, -2.5, -1.0, -0.3, 0.0, 0.3, 1.0, 2.5, 4.0, 50.0, 500.0])
case("gelu", "exact", lambda x: F.gelu(x), [gx], {}, torch_call="F.gelu(x)")
case("gelu", "exact-explicit", lambda x: F.gelu(x, approximate="none"), [uni((2, 3), -3, 3)], {"approximate": "none"},
     torch_call="F.gelu(x, approximate='none')")
case("gelu", "tanh", lambda x: F.gelu(x, approximate="tanh"), [gx], {"approximate": "tanh"},
     torch_call="F.gelu(x, approximate='tanh')")
case("gelu", "tanh-random", lambda x: F.gelu(x, approximate="tanh"), [uni((2, 3), -3, 3)], {"approximate": "tanh"},
     torch_call="F.gelu(x, approximate='tanh')")

# ---------------------------------------------------------------- softmax family

for op, fn, tname in [("softmax", torch.softmax, "torch.softmax"), ("logSoftmax", torch.log_softmax, "torch.log_softmax")]:
    case(op, "default-axis", lambda x, fn=fn: fn(x, dim=-1), [uni((2, 3), -3, 3)], {}, torch_call=f"{tname}(x, dim=-1)")
    case(op, "1d", lambda x, fn=fn: fn(x, dim=-1), [uni((5,), -3, 3)], {}, torch_call=f"{tname}(x, dim=-1)")
    for ax in [0, 1, -1, -3]:
        case(op, f"rank3-axis={ax}", lambda x, fn=fn, ax=ax: fn(x, dim=ax), [uni((2, 3, 4), -3, 3)], {"axis": ax},
             torch_call=f"{tname}(x, dim={ax})")
    case(op, "extremes", lambda x, fn=fn: fn(x, dim=-1),
         [np.array([[500.0, -500.0, 0.0], [50.0, 50.0, 50.0], [-500.0, -500.0, -499.0], [1e-3, 0.0, -1e-3]])], {},
         torch_call=f"{tname}(x, dim=-1)", note="stable forms: subtract the row max first")

# ---------------------------------------------------------------- reductions

RED = {"sum": torch.sum, "mean": torch.mean, "max": torch.amax}
RED_CASES = [
    ("all", None, False),
    ("all-keepdims", None, True),
    ("axis1", 1, False),
    ("axes0,2", [0, 2], False),
    ("axis-1-keepdims", -1, True),
    ("axes-1,-3-keepdims", [-1, -3], True),
    ("all-listed", [0, 1, 2], False),
]
for op, fn in RED.items():
    tname = {"sum": "torch.sum", "mean": "torch.mean", "max": "torch.amax"}[op]
    for name, axes, keep in RED_CASES:
        attrs = {}
        if axes is not None:
            attrs["axes"] = axes
        if keep:
            attrs["keepdims"] = True
        d = dims(axes, 3)
        case(op, name, lambda x, fn=fn, d=d, keep=keep: fn(x, dim=d, keepdim=keep), [uni((2, 3, 4), -3, 3)], attrs,
             torch_call=f"{tname}(x, dim={d}, keepdim={keep})")
    case(op, "1d", lambda x, fn=fn: fn(x, dim=(0,)), [uni((5,), -3, 3)], {}, torch_call=f"{tname}(x, dim=(0,))")
    case(op, "2d-axis0", lambda x, fn=fn: fn(x, dim=(0,)), [uni((3, 2), -3, 3)], {"axes": 0},
         torch_call=f"{tname}(x, dim=(0,))")
    case(op, "scalar-input", lambda x, fn=fn: fn(x, dim=()) if op == "max" else fn(x), [np.float64(2.5)], {},
         torch_call=f"{tname}(x)")
    case(op, "extremes", lambda x, fn=fn: fn(x, dim=(1,)), [np.array([[500.0, -500.0, 50.0], [-50.0, -500.0, -50.0]])],
         {"axes": 1}, torch_call=f"{tname}(x, dim=(1,))")
# ties for max: g/k to each of k tied maxima (amax: scale_grad_by_count)
tie = np.array([[1.0, 3.0, 3.0], [2.0, 2.0, 2.0], [-1.0, 0.5, -4.0]])
case("max", "ties-axis1", lambda x: torch.amax(x, dim=(1,)), [tie], {"axes": 1}, torch_call="torch.amax(x, dim=(1,))",
     note="row 0: two tied maxima get g/2 each; row 1: three get g/3")
case("max", "ties-axis0", lambda x: torch.amax(x, dim=(0,), keepdim=True), [tie], {"axes": 0, "keepdims": True},
     torch_call="torch.amax(x, dim=(0,), keepdim=True)", note="column 0 and 2: unique; column 1: unique 3")
case("max", "ties-all", lambda x: torch.amax(x, dim=(0, 1)), [tie], {}, torch_call="torch.amax(x, dim=(0, 1))",
     note="the two 3s share g")
case("max", "ties-all-equal", lambda x: torch.amax(x, dim=(0,)), [np.array([7.0, 7.0, 7.0, 7.0])], {},
     torch_call="torch.amax(x, dim=(0,))", note="four-way tie: g/4 each")

# ---------------------------------------------------------------- matmul

MM = [
    ("1d-1d", (4,), (4,)),
    ("1d-2d", (3,), (3, 2)),
    ("2d-1d", (2, 3), (3,)),
    ("2d-2d", (2, 3), (3, 4)),
    ("batched-3d-3d", (2, 2, 3), (2, 3, 4)),
    ("batched-3d-2d", (2, 2, 3), (3, 4)),
    ("batched-2d-3d", (2, 3), (2, 3, 4)),
    ("broadcast-batch-4d-3d", (2, 1, 2, 3), (3, 3, 2)),
    ("1d-3d", (3,), (2, 3, 2)),
    ("3d-1d", (2, 2, 3), (3,)),
    ("outer-like-col-row", (3, 1), (1, 2)),
]
for name, sa, sb in MM:
    case("matmul", name, torch.matmul, [uni(sa), uni(sb)], {}, torch_call="torch.matmul(a, b)")

# ---------------------------------------------------------------- layout ops

case("transpose", "rank0-identity", lambda x: x * 1.0, [np.float64(4.0)], {}, torch_call="x (rank < 2: identity)")
case("transpose", "rank1-identity", lambda x: x * 1.0, [uni((3,))], {}, torch_call="x (rank < 2: identity)")
case("transpose", "rank2-default", lambda x: x.transpose(-2, -1), [uni((2, 3))], {}, torch_call="x.transpose(-2, -1)")
case("transpose", "rank3-default", lambda x: x.transpose(-2, -1), [uni((2, 3, 4))], {}, torch_call="x.transpose(-2, -1)")
case("transpose", "rank3-perm", lambda x: x.permute(2, 0, 1), [uni((2, 3, 4))], {"perm": [2, 0, 1]},
     torch_call="x.permute(2, 0, 1)")
case("transpose", "rank4-perm", lambda x: x.permute(1, 3, 0, 2), [uni((2, 3, 2, 2))], {"perm": [1, 3, 0, 2]},
     torch_call="x.permute(1, 3, 0, 2)")
case("transpose", "rank2-identity-perm", lambda x: x.permute(0, 1), [uni((2, 3))], {"perm": [0, 1]},
     torch_call="x.permute(0, 1)")

for name, sx_, shape in [("to-6x4", (2, 3, 4), [6, 4]), ("flatten-minus1", (2, 3, 4), [-1]), ("infer-middle", (2, 3, 4), [4, -1, 3]),
                         ("vector-to-matrix", (6,), [2, 3]), ("scalar-to-1x1", (), [1, 1]), ("one-to-scalar", (1,), [])]:
    case("reshape", name, lambda x, shape=shape: torch.reshape(x, shape), [uni(sx_)], {"shape": shape},
         torch_call=f"torch.reshape(x, {shape})")

case("concat", "axis0", lambda *xs: torch.cat(xs, dim=0), [uni((2, 3)), uni((1, 3))], {}, torch_call="torch.cat([a, b], dim=0)")
case("concat", "axis1-three", lambda *xs: torch.cat(xs, dim=1), [uni((2, 3)), uni((2, 1)), uni((2, 2))], {"axis": 1},
     torch_call="torch.cat([a, b, c], dim=1)")
case("concat", "rank3-axis-1", lambda *xs: torch.cat(xs, dim=-1), [uni((2, 2, 1)), uni((2, 2, 3))], {"axis": -1},
     torch_call="torch.cat([a, b], dim=-1)")
case("concat", "rank3-axis1", lambda *xs: torch.cat(xs, dim=1), [uni((2, 1, 2)), uni((2, 2, 2))], {"axis": 1},
     torch_call="torch.cat([a, b], dim=1)")
case("concat", "single", lambda *xs: torch.cat(xs, dim=0), [uni((3,))], {}, torch_call="torch.cat([a], dim=0)")
case("concat", "1d-three", lambda *xs: torch.cat(xs, dim=0), [uni((2,)), uni((1,)), uni((3,))], {},
     torch_call="torch.cat([a, b, c], dim=0)")


def pyslice(x, start, end):
    idx = []
    for d in range(x.dim()):
        s = start[d] if start is not None and d < len(start) else None
        e = end[d] if end is not None and d < len(end) else None
        idx.append(slice(s, e))
    return x[tuple(idx)]


SL = [
    ("block", (4, 5), [1, 2], [3, 4]),
    ("negatives", (4, 5), [-3, -2], [-1, 5]),
    ("clamped", (4, 5), [-10, 1], [10, 100]),
    ("start-only", (4, 5), [2, 0], None),
    ("end-only", (4, 5), None, [2, -1]),
    ("empty", (4, 5), [3, 0], [1, 5]),
    ("rank3", (2, 3, 4), [0, 1, 1], [2, 3, -1]),
    ("1d", (6,), [1], [-1]),
    ("partial-start", (3, 4), [1], None),
]
for name, shp, st, en in SL:
    attrs = {}
    if st is not None:
        attrs["start"] = st
    if en is not None:
        attrs["end"] = en
    spec = ", ".join(f"{'' if st is None or d >= len(st) else st[d]}:{'' if en is None or d >= len(en) else en[d]}" for d in range(len(shp)))
    case("slice", name, lambda x, st=st, en=en: pyslice(x, st, en), [uni(shp)], attrs, torch_call=f"x[{spec}]",
         note="partial arrays: axes beyond the array's length are taken whole" if name == "partial-start" else None)

# ---------------------------------------------------------------- regression losses

def loss_cases(op, fn, tname, extra_attrs=None, extra_kw=""):
    extra_attrs = extra_attrs or {}
    case(op, "default-mean", lambda p, y: fn(p, y, **{k: v for k, v in extra_attrs.items()}), [uni((2, 3)), uni((2, 3))],
         dict(extra_attrs), torch_call=f"{tname}(p, y{extra_kw})")
    for red in ["mean", "sum", "none"]:
        case(op, f"reduction={red}", lambda p, y, red=red: fn(p, y, reduction=red, **extra_attrs), [uni((3, 4)), uni((3, 4))],
             {"reduction": red, **extra_attrs}, torch_call=f"{tname}(p, y, reduction='{red}'{extra_kw})")
    case(op, "scalar", lambda p, y: fn(p, y, **extra_attrs), [np.float64(0.3), np.float64(-1.2)], dict(extra_attrs),
         torch_call=f"{tname}(p, y{extra_kw})")
    case(op, "1d-sum", lambda p, y: fn(p, y, reduction="sum", **extra_attrs), [uni((5,)), uni((5,))],
         {"reduction": "sum", **extra_attrs}, torch_call=f"{tname}(p, y, reduction='sum'{extra_kw})")


loss_cases("mse", F.mse_loss, "F.mse_loss")
case("mse", "extremes", lambda p, y: F.mse_loss(p, y, reduction="none"),
     [np.array([500.0, -500.0, 50.0, 0.0]), np.array([-500.0, 500.0, 50.0, -50.0])], {"reduction": "none"},
     torch_call="F.mse_loss(p, y, reduction='none')")
loss_cases("l1", F.l1_loss, "F.l1_loss")
case("l1", "ties", lambda p, y: F.l1_loss(p, y, reduction="none"), [np.array([1.0, 2.0, -3.0, 0.5]), np.array([1.0, 1.0, -3.0, 0.75])],
     {"reduction": "none"}, torch_call="F.l1_loss(p, y, reduction='none')", note="sign(0) = 0 where p = y")
loss_cases("huber", F.huber_loss, "F.huber_loss")
for dl in [0.5, 2.0]:
    loss_cases_delta = {"delta": dl}
    for red in ["mean", "sum", "none"]:
        case("huber", f"delta={dl:g}-reduction={red}", lambda p, y, red=red, dl=dl: F.huber_loss(p, y, reduction=red, delta=dl),
             [uni((3, 4), -3, 3), uni((3, 4), -3, 3)], {"reduction": red, "delta": dl},
             torch_call=f"F.huber_loss(p, y, reduction='{red}', delta={dl!r})")
case("huber", "residual-equals-delta", lambda p, y: F.huber_loss(p, y, reduction="none", delta=1.0),
     [np.array([1.5, -0.5, 0.25, 3.0]), np.array([0.5, 0.5, 0.25, -1.0])], {"reduction": "none", "delta": 1},
     torch_call="F.huber_loss(p, y, reduction='none', delta=1.0)", note="|r| = delta exactly: both branches agree; r = 0 gives 0")

# ---------------------------------------------------------------- binary cross-entropy

def probs(shape):
    return rng.uniform(0.05, 0.95, size=shape)


case("bce", "default-mean", lambda p, y: F.binary_cross_entropy(p, y), [probs((2, 3)), rng.integers(0, 2, (2, 3)).astype(float)], {},
     torch_call="F.binary_cross_entropy(p, y)")
for red in ["mean", "sum", "none"]:
    case("bce", f"soft-targets-reduction={red}", lambda p, y, red=red: F.binary_cross_entropy(p, y, reduction=red),
         [probs((3, 4)), rng.uniform(0, 1, (3, 4))], {"reduction": red}, torch_call=f"F.binary_cross_entropy(p, y, reduction='{red}')")
case("bce", "near-edges", lambda p, y: F.binary_cross_entropy(p, y, reduction="none"),
     [np.array([1e-10, 1 - 1e-10, 1e-3, 0.999, 0.5]), np.array([1.0, 0.0, 0.0, 1.0, 0.5])], {"reduction": "none"},
     torch_call="F.binary_cross_entropy(p, y, reduction='none')", note="logs above -100: no clamping involved")
case("bce", "clamped-p-gradient", lambda p, y: F.binary_cross_entropy(p, y, reduction="none"),
     [np.array([0.0, 1.0, 0.0, 1.0, 1e-60]), np.array([1.0, 0.0, 0.0, 1.0, 1.0])], {"reduction": "none"},
     differentiable=[True, False], torch_call="F.binary_cross_entropy(p, y, reduction='none')",
     note="logs clamped at -100 (loss 100); dp = (p - y)/max(p(1 - p), 1e-12) = +-1e12 at the edges")
case("bce", "clamped-y-gradient", lambda p, y: F.binary_cross_entropy(p, y, reduction="none"),
     [np.array([0.0, 1.0, 1e-60]), np.array([1.0, 0.0, 1.0])], {"reduction": "none"},
     torch_call="F.binary_cross_entropy(p, y, reduction='none')",
     note="PyTorch's target gradient is -logit(p) = log(1 - p) - log(p) WITHOUT the -100 clamp (Infinity at p = 0, "
          "-Infinity at p = 1, 138.155 at p = 1e-60), unlike its clamped forward; OPS-CONTRACT says clamped logs")

for name, pw in [("default", None), ("posWeight=3", 3.0), ("posWeight=0.5", 0.5)]:
    kw = {} if pw is None else {"pos_weight": torch.tensor(pw)}
    attrs = {} if pw is None else {"posWeight": pw}
    call = "" if pw is None else f", pos_weight=torch.tensor({pw!r})"
    case("bceWithLogits", f"{name}-mean", lambda x, y, kw=kw: F.binary_cross_entropy_with_logits(x, y, **kw),
         [uni((2, 3), -4, 4), rng.integers(0, 2, (2, 3)).astype(float)], dict(attrs),
         torch_call=f"F.binary_cross_entropy_with_logits(x, y{call})")
    for red in ["sum", "none"]:
        case("bceWithLogits", f"{name}-soft-reduction={red}",
             lambda x, y, kw=kw, red=red: F.binary_cross_entropy_with_logits(x, y, reduction=red, **kw),
             [uni((3, 4), -4, 4), rng.uniform(0, 1, (3, 4))], {"reduction": red, **attrs},
             torch_call=f"F.binary_cross_entropy_with_logits(x, y, reduction='{red}'{call})")
    case("bceWithLogits", f"{name}-extremes", lambda x, y, kw=kw: F.binary_cross_entropy_with_logits(x, y, reduction="none", **kw),
         [np.array([-500.0, -500.0, -50.0, -50.0, 0.0, 50.0, 50.0, 500.0, 500.0]),
          np.array([0.0, 1.0, 0.0, 1.0, 0.5, 0.0, 1.0, 0.0, 1.0])], {"reduction": "none", **attrs},
         torch_call=f"F.binary_cross_entropy_with_logits(x, y, reduction='none'{call})")

# ---------------------------------------------------------------- cross-entropy and nll

def ce_torch(fn, weight=None, ignore_index=-100, reduction="mean"):
    def run(x, y):
        w = None if weight is None else torch.tensor(weight)
        xt = x if x.dim() <= 2 else x.movedim(-1, 1)
        return fn(xt, y.long(), weight=w, ignore_index=ignore_index, reduction=reduction)
    return run


def ce_attrs(weight, ignore_index, reduction):
    a = {}
    if reduction is not None:
        a["reduction"] = reduction
    if ignore_index is not None:
        a["ignoreIndex"] = ignore_index
    if weight is not None:
        a["weight"] = weight
    return a


def ce_call(tname, weight, ignore_index, reduction, moved=False):
    x = "logits.movedim(-1, 1)" if moved else ("logits" if tname == "F.cross_entropy" else "logp")
    return (f"{tname}({x}, labels.long(), weight={weight}, ignore_index={-100 if ignore_index is None else ignore_index}, "
            f"reduction='{reduction or 'mean'}')")


W5 = [0.5, 1.0, 2.0, 0.25, 1.5]
for op, fn, tname in [("crossEntropy", F.cross_entropy, "F.cross_entropy"), ("nll", F.nll_loss, "F.nll_loss")]:
    def xin(shape):
        x = uni(shape, -3, 3)
        if op == "nll":  # genuine log-probabilities (the op accepts any numbers; this is the realistic input)
            x = torch.log_softmax(T(x), dim=-1).numpy()
        return x

    lab = labels((4,), 5)
    for red in [None, "mean", "sum", "none"]:
        case(op, f"reduction={red or 'default'}", ce_torch(fn, reduction=red or "mean"), [xin((4, 5)), lab],
             ce_attrs(None, None, red), differentiable=[True, False], torch_call=ce_call(tname, None, None, red))
        case(op, f"weighted-reduction={red or 'default'}", ce_torch(fn, weight=W5, reduction=red or "mean"),
             [xin((4, 5)), labels((4,), 5)], ce_attrs(W5, None, red), differentiable=[True, False],
             torch_call=ce_call(tname, W5, None, red))
    ign = np.array([1.0, -100.0, 3.0, -100.0, 0.0, 4.0])
    for red in ["mean", "sum", "none"]:
        case(op, f"ignore-default-reduction={red}", ce_torch(fn, reduction=red), [xin((6, 5)), ign],
             ce_attrs(None, None, red), differentiable=[True, False], torch_call=ce_call(tname, None, None, red),
             note="labels -100 are ignored: zero loss term, zero gradient, not counted by 'mean'")
        case(op, f"weighted-ignore-reduction={red}", ce_torch(fn, weight=W5, reduction=red), [xin((6, 5)), ign],
             ce_attrs(W5, None, red), differentiable=[True, False], torch_call=ce_call(tname, W5, None, red),
             note="'mean' divides by the sum of the kept rows' class weights")
    ign2 = np.array([2.0, 0.0, 2.0, 4.0, 1.0])
    case(op, "ignoreIndex=2-mean", ce_torch(fn, ignore_index=2), [xin((5, 5)), ign2], ce_attrs(None, 2, "mean"),
         differentiable=[True, False], torch_call=ce_call(tname, None, 2, "mean"), note="ignoreIndex may be a real class index")
    case(op, "ignoreIndex=-1-weighted-sum", ce_torch(fn, weight=W5, ignore_index=-1, reduction="sum"),
         [xin((5, 5)), np.array([-1.0, 0.0, 3.0, -1.0, 2.0])], ce_attrs(W5, -1, "sum"), differentiable=[True, False],
         torch_call=ce_call(tname, W5, -1, "sum"))
    for red in ["mean", "none"]:
        case(op, f"rank3-reduction={red}", ce_torch(fn, reduction=red), [xin((2, 3, 4)), labels((2, 3), 4)],
             ce_attrs(None, None, red), differentiable=[True, False], torch_call=ce_call(tname, None, None, red, moved=True),
             note="rxgrad [B, T, C] with classes last; torch is given [B, C, T]")
    case(op, "rank3-weighted-ignore-mean", ce_torch(fn, weight=[1.0, 3.0, 0.5, 2.0]),
         [xin((2, 3, 4)), np.array([[0.0, -100.0, 3.0], [1.0, 2.0, -100.0]])], ce_attrs([1.0, 3.0, 0.5, 2.0], None, "mean"),
         differentiable=[True, False], torch_call=ce_call(tname, [1.0, 3.0, 0.5, 2.0], None, "mean", moved=True))
    case(op, "unbatched-1d", ce_torch(fn), [xin((5,)), np.float64(3.0)], {}, differentiable=[True, False],
         torch_call=ce_call(tname, None, None, None), note="logits [C], label [] (scalar)")
    case(op, "unbatched-1d-weighted", ce_torch(fn, weight=W5), [xin((5,)), np.float64(2.0)], ce_attrs(W5, None, None),
         differentiable=[True, False], torch_call=ce_call(tname, W5, None, None),
         note="'mean' of one weighted term divides by its weight: the result is the unweighted term")
    case(op, "all-ignored-mean", ce_torch(fn), [xin((3, 5)), np.array([-100.0, -100.0, -100.0])], {},
         differentiable=[True, False], torch_call=ce_call(tname, None, None, None),
         note="0/0: forward NaN; PyTorch's gradient is all zeros (not NaN)")
    case(op, "all-ignored-sum", ce_torch(fn, reduction="sum"), [xin((3, 5)), np.array([-100.0, -100.0, -100.0])],
         {"reduction": "sum"}, differentiable=[True, False], torch_call=ce_call(tname, None, None, "sum"))
    if op == "crossEntropy":
        case(op, "extremes", ce_torch(fn, reduction="none"),
             [np.array([[500.0, -500.0, 0.0], [500.0, -500.0, 0.0], [50.0, 50.0, -50.0], [-500.0, -500.0, -500.0]]),
              np.array([0.0, 1.0, 2.0, 1.0])], {"reduction": "none"}, differentiable=[True, False],
             torch_call=ce_call(tname, None, None, "none"), note="stable log-softmax: loss 1000 for the -500 class, 0 for the +500 class")
    else:
        case(op, "arbitrary-inputs", ce_torch(fn, reduction="sum"), [uni((3, 4), -500, 500), np.array([3.0, 0.0, 1.0])],
             {"reduction": "sum"}, differentiable=[True, False], torch_call=ce_call(tname, None, None, "sum"),
             note="nll is a pick-and-negate: it does not require log-probabilities")

# ---------------------------------------------------------------- write

doc = {
    "description": "PyTorch float64 reference values for rxgrad's ops (OPS-CONTRACT.md). For each case: inputs, forward output, "
                   "upstream gradient G and the gradient of sum(output * G) w.r.t. each differentiable input (null for "
                   "non-differentiable inputs). Tensors are {shape, data: nested lists}; non-finite numbers are the strings "
                   "'Infinity', '-Infinity', 'NaN'. Generated by spec/reference/make_torch_ops.py.",
    "torch_version": torch.__version__,
    "numpy_version": np.__version__,
    "python_version": sys.version.split()[0],
    "dtype": "float64",
    "seed": SEED,
    "cases": CASES,
}
here = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(here, "torch-ops.json"), "w") as f:
    # One case per line: readable diffs when a case changes. repr-shortest floats round-trip exactly.
    head = {k: v for k, v in doc.items() if k != "cases"}
    f.write(json.dumps(head, indent=1, allow_nan=False)[:-2] + ',\n "cases": [\n')
    f.write(",\n".join(json.dumps(c, separators=(",", ":"), allow_nan=False) for c in CASES))
    f.write("\n ]\n}\n")
names = [c["name"] for c in CASES]
assert len(names) == len(set(names)), "duplicate case names"
print(f"torch {torch.__version__}: {len(CASES)} cases over {len(set(c['op'] for c in CASES))} ops -> torch-ops.json")
