"""PyTorch float64 training trajectories for optimizer parity -> torch-training.json.

Run:  /work/torchvenv/bin/python spec/reference/make_torch_training.py   (from the repo root)

Model (raw tensors, no nn.Linear, weights stored as rxgrad stores them):
    z = x·W1 + b1    W1 [2, 4] (the TRANSPOSE of nn.Linear's [out, in] weight), b1 [4]
    h = σ(z)
    o = h·W2 + b2    W2 [4, 1], b2 [1]           (linear output)
    loss = MSE(o, y), reduction 'mean', one sample per step: x [1, 2], y [1, 1]
           (the same numbers as the 1-D form x [2], y [1]: the mean of one element is that element)

Training: the 30 samples in order, one optimizer step per sample. Each step:
    optimizer.zero_grad(); loss = model(x_i, y_i); loss.backward()
    [clip_grad_norm_ / clip_grad_value_ over [W1, b1, W2, b2]]
    optimizer.step(); [scheduler.step()]
and records: the loss (before the update), the learning rate(s) used by that update, the raw
gradients (before clipping / weight decay), the clipping total norm (norm case), and the parameters
after the update. Parameter order everywhere: W1, b1, W2, b2. All optimizers run with foreach=False
(the single-tensor code path; its rounding is the documented formula's).

Also: learning-rate sequences of each scheduler on its own for 12 steps (PyTorch's recursive
values and the closed forms), and torch.nn.init bounds/stds evaluated from the formulas in
torch/nn/init.py (calculate_gain, fans) for a few shapes.
"""
import json
import math
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F
from torch.nn import init
from torch.optim import lr_scheduler as sched

torch.set_default_dtype(torch.float64)
NAMES = ["W1", "b1", "W2", "b2"]

rng = np.random.default_rng(2024)
INIT = {
    "W1": np.round(rng.uniform(-1.0, 1.0, (2, 4)), 2),
    "b1": np.round(rng.uniform(-0.3, 0.3, (4,)), 2),
    "W2": np.round(rng.uniform(-1.0, 1.0, (4, 1)), 2),
    "b2": np.round(rng.uniform(-0.3, 0.3, (1,)), 2),
}
X = np.round(rng.uniform(-2.0, 2.0, (30, 2)), 2)
# A smooth target the network can partly fit: y = tanh(x0 − 0.5·x1) + 0.1, rounded.
Y = np.round(np.tanh(X[:, :1] - 0.5 * X[:, 1:]) + 0.1, 3)


# Rounding probes (see `rounding_probe` in the JSON): the trajectory is re-run with the foreach
# implementation, and with the initial parameters scaled by (1 + PERTURB), to show how far honest
# rounding differences travel in 30 steps; a consumer's tolerance should sit above these.
FOREACH = False
PERTURB = 0.0


def fresh_params():
    return {k: torch.tensor(v * (1.0 + PERTURB), requires_grad=True) for k, v in INIT.items()}


def forward(p, x, y):
    h = torch.sigmoid(torch.matmul(x, p["W1"]) + p["b1"])
    o = torch.matmul(h, p["W2"]) + p["b2"]
    return F.mse_loss(o, y, reduction="mean")


def lst(t):
    return t.detach().tolist()


IMPL_FLAGS = {"params", "foreach", "fused", "capturable", "differentiable", "initial_lr"}


def options_of(group):
    out = {}
    for k, v in group.items():
        if k in IMPL_FLAGS:
            continue
        out[k] = list(v) if isinstance(v, tuple) else v
    return out


def train(name, make_opt, note, make_sched=None, clip=None):
    p = fresh_params()
    opt = make_opt(p)
    sch = make_sched(opt) if make_sched else None
    groups = []
    for g in opt.param_groups:
        ids = {id(t) for t in g["params"]}
        groups.append({"params": [n for n in NAMES if id(p[n]) in ids], **options_of(g)})
    steps = []
    for i in range(len(X)):
        opt.zero_grad()
        x = torch.tensor(X[i : i + 1])
        y = torch.tensor(Y[i : i + 1])
        loss = forward(p, x, y)
        loss.backward()
        raw = {n: lst(p[n].grad) for n in NAMES}
        rec = {"step": i + 1, "sample": i, "loss": loss.item(), "lr": [g["lr"] for g in opt.param_groups], "grads": raw}
        if clip is not None and clip["type"] == "norm":
            total = torch.nn.utils.clip_grad_norm_([p[n] for n in NAMES], clip["max_norm"], norm_type=clip["norm_type"])
            rec["clip_total_norm"] = total.item()
            rec["clipped"] = bool(total.item() > clip["max_norm"])
        elif clip is not None and clip["type"] == "value":
            rec["clipped"] = bool(any(p[n].grad.abs().max().item() > clip["clip_value"] for n in NAMES))
            torch.nn.utils.clip_grad_value_([p[n] for n in NAMES], clip["clip_value"])
        if clip is not None:
            rec["grads_after_clip"] = {n: lst(p[n].grad) for n in NAMES}
        opt.step()
        if sch is not None:
            sch.step()
        rec["params"] = {n: lst(p[n]) for n in NAMES}
        steps.append(rec)
    entry = {
        "name": name,
        "optimizer": type(opt).__name__,
        "param_groups": groups,
        "scheduler": None,
        "clip": clip,
        "note": note,
        "steps": steps,
    }
    if sch is not None:
        entry["scheduler"] = {"type": type(sch).__name__, "options": make_sched.options}
    return entry


def with_opts(fn, **options):
    fn.options = options
    return fn


P = lambda p: [p[n] for n in NAMES]  # noqa: E731
CONFIGS = []


def max_param_diff(a, b):
    d = 0.0
    for sa, sb in zip(a["steps"], b["steps"]):
        for n in NAMES:
            d = max(d, float(np.max(np.abs(np.array(sa["params"][n]) - np.array(sb["params"][n])))))
    return d


def cfg(name, note, make_opt, make_sched=None, clip=None):
    global FOREACH, PERTURB
    entry = train(name, make_opt, note, make_sched, clip)
    FOREACH = True
    foreach = train(name, make_opt, note, make_sched, clip)
    FOREACH, PERTURB = False, 1e-15
    perturbed = train(name, make_opt, note, make_sched, clip)
    PERTURB = 0.0
    entry["rounding_probe"] = {
        "foreach_max_abs_param_diff": max_param_diff(entry, foreach),
        "init_times_1p1e-15_max_abs_param_diff": max_param_diff(entry, perturbed),
    }
    CONFIGS.append(entry)


# ---- SGD
cfg("sgd", "SGD(lr=0.1): θ ← θ − lr·g", lambda p: torch.optim.SGD(P(p), lr=0.1, foreach=FOREACH))
cfg("sgd-momentum", "SGD(lr=0.1, momentum=0.9): b₁ = g, b_t = 0.9·b + g; θ ← θ − lr·b",
    lambda p: torch.optim.SGD(P(p), lr=0.1, momentum=0.9, foreach=FOREACH))
cfg("sgd-momentum-dampening", "SGD(lr=0.1, momentum=0.9, dampening=0.1): b₁ = g (no dampening on the first step), "
    "then b = 0.9·b + 0.9·g", lambda p: torch.optim.SGD(P(p), lr=0.1, momentum=0.9, dampening=0.1, foreach=FOREACH))
cfg("sgd-nesterov", "SGD(lr=0.1, momentum=0.9, nesterov=True): b as momentum; θ ← θ − lr·(g + 0.9·b)",
    lambda p: torch.optim.SGD(P(p), lr=0.1, momentum=0.9, nesterov=True, foreach=FOREACH))
cfg("sgd-weight-decay", "SGD(lr=0.1, weight_decay=0.01): g ← g + 0.01·θ (L2, coupled) before the step",
    lambda p: torch.optim.SGD(P(p), lr=0.1, weight_decay=0.01, foreach=FOREACH))
# ---- Adam / AdamW
cfg("adam", "Adam() defaults: lr=1e-3, betas=(0.9, 0.999), eps=1e-8", lambda p: torch.optim.Adam(P(p), foreach=FOREACH))
cfg("adam-lr0.05", "Adam(lr=0.05): larger steps, otherwise defaults", lambda p: torch.optim.Adam(P(p), lr=0.05, foreach=FOREACH))
cfg("adam-amsgrad", "Adam(lr=0.05, amsgrad=True): v_max = max(v_max, v) on the raw second moment, v̂ = v_max/(1 − β₂ᵗ)",
    lambda p: torch.optim.Adam(P(p), lr=0.05, amsgrad=True, foreach=FOREACH))
cfg("adam-weight-decay", "Adam(lr=0.05, weight_decay=0.1): coupled L2, g ← g + 0.1·θ before the moments",
    lambda p: torch.optim.Adam(P(p), lr=0.05, weight_decay=0.1, foreach=FOREACH))
cfg("adamw", "AdamW() defaults: lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01 (θ ← θ·(1 − lr·wd) first)",
    lambda p: torch.optim.AdamW(P(p), foreach=FOREACH))
cfg("adamw-weight-decay", "AdamW(lr=0.05, weight_decay=0.1): decoupled, θ ← θ·(1 − 0.05·0.1), then the Adam step",
    lambda p: torch.optim.AdamW(P(p), lr=0.05, weight_decay=0.1, foreach=FOREACH))
# ---- RMSprop
cfg("rmsprop", "RMSprop() defaults: lr=0.01, alpha=0.99, eps=1e-8 (eps added after the sqrt)",
    lambda p: torch.optim.RMSprop(P(p), foreach=FOREACH))
cfg("rmsprop-momentum", "RMSprop(momentum=0.9): b = 0.9·b + g/(√v + eps); θ ← θ − lr·b",
    lambda p: torch.optim.RMSprop(P(p), momentum=0.9, foreach=FOREACH))
cfg("rmsprop-centered", "RMSprop(centered=True): ṽ = v − ḡ², ḡ = α·ḡ + (1 − α)·g",
    lambda p: torch.optim.RMSprop(P(p), centered=True, foreach=FOREACH))
cfg("rmsprop-centered-momentum", "RMSprop(centered=True, momentum=0.9)",
    lambda p: torch.optim.RMSprop(P(p), centered=True, momentum=0.9, foreach=FOREACH))
# ---- Adagrad
cfg("adagrad", "Adagrad() defaults: lr=0.01, eps=1e-10, sum₀ = 0", lambda p: torch.optim.Adagrad(P(p), foreach=FOREACH))
cfg("adagrad-lr-decay", "Adagrad(lr_decay=0.01): lr_t = lr/(1 + (t − 1)·0.01)",
    lambda p: torch.optim.Adagrad(P(p), lr_decay=0.01, foreach=FOREACH))
cfg("adagrad-initial-accumulator", "Adagrad(initial_accumulator_value=0.1): sum₀ = 0.1",
    lambda p: torch.optim.Adagrad(P(p), initial_accumulator_value=0.1, foreach=FOREACH))
# ---- parameter groups
cfg("sgd-param-groups", "SGD with two groups sharing momentum=0.9: weights [W1, W2] lr=0.1, biases [b1, b2] lr=0.3; "
    "'lr' per step lists both groups (weights first)",
    lambda p: torch.optim.SGD([{"params": [p["W1"], p["W2"]]}, {"params": [p["b1"], p["b2"]], "lr": 0.3}],
                              lr=0.1, momentum=0.9, foreach=FOREACH))
# ---- schedulers (stepped once per sample, after optimizer.step())
cfg("sgd-steplr", "SGD(lr=0.2) + StepLR(step_size=5, gamma=0.5): lr_t = 0.2·0.5^⌊t/5⌋",
    lambda p: torch.optim.SGD(P(p), lr=0.2, foreach=FOREACH),
    with_opts(lambda o: sched.StepLR(o, step_size=5, gamma=0.5), step_size=5, gamma=0.5))
cfg("sgd-exponentiallr", "SGD(lr=0.2) + ExponentialLR(gamma=0.9): lr_t = 0.2·0.9^t (PyTorch multiplies recursively)",
    lambda p: torch.optim.SGD(P(p), lr=0.2, foreach=FOREACH),
    with_opts(lambda o: sched.ExponentialLR(o, gamma=0.9), gamma=0.9))
cfg("sgd-cosineannealinglr", "SGD(lr=0.2) + CosineAnnealingLR(T_max=30, eta_min=0.01)",
    lambda p: torch.optim.SGD(P(p), lr=0.2, foreach=FOREACH),
    with_opts(lambda o: sched.CosineAnnealingLR(o, T_max=30, eta_min=0.01), T_max=30, eta_min=0.01))
cfg("sgd-linearlr-warmup", "SGD(lr=0.2) + LinearLR(start_factor=0.25, end_factor=1.0, total_iters=8): "
    "lr_t = 0.2·(0.25 + 0.75·min(t, 8)/8)",
    lambda p: torch.optim.SGD(P(p), lr=0.2, foreach=FOREACH),
    with_opts(lambda o: sched.LinearLR(o, start_factor=0.25, end_factor=1.0, total_iters=8),
              start_factor=0.25, end_factor=1.0, total_iters=8))
# ---- gradient clipping before each SGD step
cfg("sgd-clip-grad-norm", "SGD(lr=0.5) with clip_grad_norm_([W1, b1, W2, b2], max_norm=0.5) before each step: "
    "coef = min(1, 0.5/(total_norm + 1e-6))",
    lambda p: torch.optim.SGD(P(p), lr=0.5, foreach=FOREACH), clip={"type": "norm", "max_norm": 0.5, "norm_type": 2.0})
cfg("sgd-clip-grad-value", "SGD(lr=0.5) with clip_grad_value_([W1, b1, W2, b2], 0.1) before each step",
    lambda p: torch.optim.SGD(P(p), lr=0.5, foreach=FOREACH), clip={"type": "value", "clip_value": 0.1})


# ---------------------------------------------------------------- schedulers on their own

def lr_sequence(make, steps=12, lr0=0.1):
    w = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([w], lr=lr0)
    s = make(opt)
    lrs, closed = [opt.param_groups[0]["lr"]], [s._get_closed_form_lr()[0]]
    for _ in range(steps):
        opt.step()  # no gradient: a no-op that keeps the "step order" warning quiet
        s.step()
        lrs.append(opt.param_groups[0]["lr"])
        closed.append(s._get_closed_form_lr()[0])
    return lrs, closed


SCHEDULES = []
for name, make, opts in [
    ("StepLR", lambda o: sched.StepLR(o, step_size=3, gamma=0.5), {"step_size": 3, "gamma": 0.5}),
    ("StepLR-default-gamma", lambda o: sched.StepLR(o, step_size=4), {"step_size": 4}),
    ("ExponentialLR", lambda o: sched.ExponentialLR(o, gamma=0.9), {"gamma": 0.9}),
    ("CosineAnnealingLR", lambda o: sched.CosineAnnealingLR(o, T_max=12), {"T_max": 12}),
    ("CosineAnnealingLR-eta_min-past-T_max", lambda o: sched.CosineAnnealingLR(o, T_max=5, eta_min=0.01),
     {"T_max": 5, "eta_min": 0.01}),
    ("LinearLR-defaults", lambda o: sched.LinearLR(o), {}),
    ("LinearLR-warmup", lambda o: sched.LinearLR(o, start_factor=0.5, total_iters=4), {"start_factor": 0.5, "total_iters": 4}),
    ("LinearLR-decay", lambda o: sched.LinearLR(o, start_factor=1.0, end_factor=0.1, total_iters=10),
     {"start_factor": 1.0, "end_factor": 0.1, "total_iters": 10}),
]:
    lrs, closed = lr_sequence(make)
    SCHEDULES.append({
        "name": name, "type": name.split("-")[0], "options": opts, "lr0": 0.1,
        "lrs": lrs, "closed_form": closed,
        "max_rel_diff_recursive_vs_closed": max(abs(a - b) / abs(b) if b else abs(a - b) for a, b in zip(lrs, closed)),
    })

# ---------------------------------------------------------------- initialisers (formulas, no sampling)

def fans(torch_shape):
    return init._calculate_fan_in_and_fan_out(torch.empty(torch_shape))


INITS = []
for torch_shape in [(4, 2), (1, 4), (128, 784), (10, 128), (16, 3, 3, 3)]:
    fan_in, fan_out = fans(torch_shape)
    row = {
        "torch_shape": list(torch_shape),
        "rxgrad_shape": [torch_shape[1], torch_shape[0]] if len(torch_shape) == 2 else None,
        "fan_in": fan_in, "fan_out": fan_out,
        "xavier_uniform_bound": {}, "xavier_normal_std": {},
        "kaiming_uniform_bound": {}, "kaiming_normal_std": {},
    }
    for nl in ["linear", "sigmoid", "tanh", "relu"]:
        gain = init.calculate_gain(nl)
        row["xavier_uniform_bound"][nl] = gain * math.sqrt(6.0 / (fan_in + fan_out))
        row["xavier_normal_std"][nl] = gain * math.sqrt(2.0 / (fan_in + fan_out))
    for mode, fan in [("fan_in", fan_in), ("fan_out", fan_out)]:
        for nl, a in [("leaky_relu(a=0) [default]", 0.0), ("relu", None), ("leaky_relu(a=0.01)", 0.01),
                      ("leaky_relu(a=sqrt(5))", math.sqrt(5)), ("tanh", None), ("linear", None)]:
            gain = init.calculate_gain(nl.split("(")[0].split(" ")[0], a)
            key = f"{mode}/{nl}"
            row["kaiming_uniform_bound"][key] = gain * math.sqrt(3.0 / fan)
            row["kaiming_normal_std"][key] = gain / math.sqrt(fan)
    if len(torch_shape) == 2:
        row["linear_default_weight_bound"] = init.calculate_gain("leaky_relu", math.sqrt(5)) * math.sqrt(3.0 / fan_in)
        row["linear_default_bias_bound"] = 1.0 / math.sqrt(fan_in)
    INITS.append(row)

# Sanity: the formulas are torch's (sample once, check the bound holds and is nearly reached).
_t = torch.empty(400, 300)
init.xavier_uniform_(_t, generator=torch.Generator().manual_seed(0))
assert _t.abs().max() <= math.sqrt(6 / 700) and _t.abs().max() > 0.99 * math.sqrt(6 / 700)
init.kaiming_uniform_(_t, a=math.sqrt(5), generator=torch.Generator().manual_seed(0))
assert _t.abs().max() <= 1 / math.sqrt(300) and _t.abs().max() > 0.99 / math.sqrt(300)

GAINS = {nl: init.calculate_gain(nl) for nl in ["linear", "sigmoid", "tanh", "relu", "leaky_relu", "selu"]}
GAINS["leaky_relu(0.2)"] = init.calculate_gain("leaky_relu", 0.2)

# ---------------------------------------------------------------- write

doc = {
    "description": "PyTorch float64 training trajectories of a 2-4-1 MLP (z = x·W1 + b1, h = sigmoid(z), o = h·W2 + b2, "
                   "loss = mse(o, y) mean), trained online (batch 1) on 30 samples, one step per sample; per step: loss "
                   "before the update, lr used, raw grads, params after the update. Plus scheduler lr sequences and "
                   "torch.nn.init bounds. Generated by spec/reference/make_torch_training.py.",
    "torch_version": torch.__version__,
    "python_version": sys.version.split()[0],
    "dtype": "float64",
    "model": {
        "params": NAMES,
        "shapes": {n: list(v.shape) for n, v in INIT.items()},
        "forward": "z = x·W1 + b1; h = sigmoid(z); o = h·W2 + b2; loss = mean((o − y)²); x [1, 2], y [1, 1] per step",
        "layout": "W1 [2, 4] is [in, out], used as x·W1: the transpose of nn.Linear's weight",
    },
    "initial": {n: v.tolist() for n, v in INIT.items()},
    "data": {"x": X.tolist(), "y": Y.tolist()},
    "step_order": "zero_grad; loss = forward(x_i, y_i); loss.backward(); [clip]; optimizer.step(); [scheduler.step()]",
    "configs": CONFIGS,
    "schedulers_alone": {
        "note": "lrs[t] = optimizer lr after t calls of scheduler.step(), t = 0..12, lr0 = 0.1 (PyTorch's recursive "
                "update); closed_form[t] = the scheduler's _get_closed_form_lr(); they differ by rounding only",
        "sequences": SCHEDULES,
    },
    "init": {
        "note": "Evaluated formulas of torch/nn/init.py: xavier bound = gain·sqrt(6/(fan_in + fan_out)), std = "
                "gain·sqrt(2/(fan_in + fan_out)); kaiming bound = gain·sqrt(3/fan), std = gain/sqrt(fan), gain = "
                "calculate_gain(nonlinearity, a); nn.Linear default weight = kaiming_uniform_(a=sqrt(5)) = 1/sqrt(fan_in), "
                "bias U(−1/sqrt(fan_in), 1/sqrt(fan_in)). fan_in = size(1)·receptive field, fan_out = size(0)·receptive "
                "field of the TORCH shape [out, in, ...]; rxgrad_shape is the [in, out] layout of the same weight.",
        "gains": GAINS,
        "shapes": INITS,
    },
}
here = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(here, "torch-training.json"), "w") as f:
    # One step per line keeps the file readable and its diffs small.
    f.write("{\n")
    for k, v in doc.items():
        if k == "configs":
            f.write(' "configs": [\n')
            for ci, c in enumerate(v):
                meta = {kk: vv for kk, vv in c.items() if kk != "steps"}
                f.write("  " + json.dumps(meta, allow_nan=False, ensure_ascii=False)[:-1] + ', "steps": [\n')
                f.write(",\n".join("   " + json.dumps(s, separators=(",", ":"), allow_nan=False, ensure_ascii=False) for s in c["steps"]))
                f.write("\n  ]}" + ("," if ci < len(v) - 1 else "") + "\n")
            f.write(" ],\n")
        else:
            f.write(f" {json.dumps(k)}: {json.dumps(v, allow_nan=False, ensure_ascii=False)},\n")
    f.seek(f.tell() - 2)
    f.write("\n}\n")
print(f"torch {torch.__version__}: {len(CONFIGS)} training configs, {len(SCHEDULES)} schedules, {len(INITS)} init shapes")
for c in CONFIGS:
    s = c["steps"]
    extra = f" clipped {sum(r['clipped'] for r in s)}/30" if c["clip"] else ""
    rp = c["rounding_probe"]
    print(f"  {c['name']:28s} loss[0] {s[0]['loss']:.6f} loss[29] {s[-1]['loss']:.6f}{extra}  "
          f"foreach {rp['foreach_max_abs_param_diff']:.1e} perturbed {rp['init_times_1p1e-15_max_abs_param_diff']:.1e}")
