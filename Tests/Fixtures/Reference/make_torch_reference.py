#!/usr/bin/env python3
"""Writes the PyTorch reference fixtures that the NN tests compare against.

Pinned: torch 2.15.0, h5py 3.16.0, numpy 2.4.6 (CPU, float32). Run from the repository root:

    python3 -m venv .venv-torch && .venv-torch/bin/pip install torch==2.15.0 h5py numpy
    .venv-torch/bin/python Tests/Fixtures/Reference/make_torch_reference.py
    .venv-torch/bin/python Tests/Fixtures/Reference/make_torch_reference.py --only attention_causal

(`--only NAME` writes just that file; only `attention_causal` is offered.)

Each case is one HDF5 file in Tests/NNTests/Fixtures/ with
  state/<state_dict key>     the module's parameters and buffers before the forward pass
  inputs/<name>              inputs (float32; lengths as int64)
  outputs/<name>             outputs of the forward pass
  weights/<name>             fixed weights r: the scalar loss is sum over outputs of sum(out * r)
  grads/inputs/<name>        d loss / d input
  grads/params/<key>         d loss / d parameter
Optimizer and schedule cases store their trajectories instead (see each function).
attention_causal.h5 holds one group per case (equal, more_keys, more_queries), each with the
layout above plus `heads` and outputs/out_unmasked (see `attention_causal`).
The modules here are PyTorch's own layers, except the MulT encoder, which is our own PyTorch
twin written from the MulT paper and the notes (pre-norm layers, sinusoidal positions over true
lengths, key-padding masks, padded steps zero in the output).
"""
import argparse
import math
import os

import h5py
import numpy as np
import torch
import torch.nn as nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "NNTests", "Fixtures")
torch.set_default_dtype(torch.float32)


def write(path, groups):
    with h5py.File(os.path.join(OUT, path), "w") as f:
        for group, entries in groups.items():
            for key, value in entries.items():
                if isinstance(value, torch.Tensor):
                    value = value.detach().cpu().numpy()
                value = np.asarray(value)
                if value.dtype.kind == "f":
                    value = value.astype(np.float32)
                f.create_dataset(f"{group}/{key}", data=value)


def case(name, module, inputs, forward, lengths=None):
    """Runs forward(module, **inputs) -> dict of outputs; backward of a weighted sum."""
    g = torch.Generator().manual_seed(99)
    state = {k: v.detach().clone() for k, v in module.state_dict().items()}
    for x in inputs.values():
        x.requires_grad_(True)
    outputs = forward(module, **inputs)
    weights = {k: torch.rand(v.shape, generator=g) + 0.5 for k, v in outputs.items()}
    loss = sum((outputs[k] * weights[k]).sum() for k in outputs)
    loss.backward()
    groups = {
        "state": state,
        "inputs": {k: v.detach() for k, v in inputs.items()},
        "outputs": {k: v.detach() for k, v in outputs.items()},
        "weights": weights,
        "grads/inputs": {k: v.grad for k, v in inputs.items()},
        "grads/params": {k: p.grad for k, p in module.named_parameters()},
    }
    if lengths is not None:
        groups["lengths"] = {k: np.asarray(v, dtype=np.int64) for k, v in lengths.items()}
    write(name + ".h5", groups)


def randomize(module, seed):
    """Non-trivial values for every parameter (LayerNorm's 1 and 0 would hide mistakes)."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in module.parameters():
            p.copy_(torch.rand(p.shape, generator=g) * 1.2 - 0.6)
    return module


def rand(*shape, seed):
    return torch.rand(*shape, generator=torch.Generator().manual_seed(seed)) * 2 - 1


# ---------------------------------------------------------------------------------------------
# Layers


def layers():
    case("linear", randomize(nn.Linear(5, 4), 1), {"x": rand(2, 3, 5, seed=2)}, lambda m, x: {"y": m(x)})
    case("layernorm", randomize(nn.LayerNorm(6), 3), {"x": rand(2, 3, 6, seed=4) * 3}, lambda m, x: {"y": m(x)})

    bn = randomize(nn.BatchNorm1d(4), 5)
    bn.train()

    def bn_forward(m, x, x3):
        y = m(x)
        y3 = m(x3)
        return {"y": y, "y3": y3}

    case("batchnorm_train", bn, {"x": rand(5, 4, seed=6) * 2, "x3": rand(3, 4, 6, seed=7) + 0.5}, bn_forward)
    # Running statistics after the two training batches above, then an evaluation pass.
    bn.eval()
    x_eval = rand(3, 4, seed=8)
    write("batchnorm_eval.h5", {
        "state": {k: v for k, v in bn.state_dict().items()},
        "inputs": {"x": x_eval}, "outputs": {"y": bn(x_eval).detach()},
    })

    case("conv1d_k3", randomize(nn.Conv1d(3, 4, 3, padding=1), 9), {"x": rand(2, 3, 9, seed=10)}, lambda m, x: {"y": m(x)})
    case("conv1d_k5_s2_nobias", randomize(nn.Conv1d(3, 4, 5, stride=2, bias=False), 11), {"x": rand(2, 3, 9, seed=12)}, lambda m, x: {"y": m(x)})

    lengths = [6, 4, 1]

    def lstm_forward(m, x):
        packed = pack_padded_sequence(x, torch.tensor(lengths), batch_first=True, enforce_sorted=False)
        out, (h, c) = m(packed)
        out, _ = pad_packed_sequence(out, batch_first=True, total_length=x.shape[1])
        return {"output": out, "h": h, "c": c}

    torch.manual_seed(13)
    case("lstm_bi2", nn.LSTM(5, 4, num_layers=2, bidirectional=True, batch_first=True), {"x": rand(3, 6, 5, seed=14)}, lstm_forward, {"x": lengths})
    torch.manual_seed(15)
    case("lstm_uni1", nn.LSTM(5, 4, batch_first=True), {"x": rand(3, 6, 5, seed=16)}, lstm_forward, {"x": lengths})

    torch.manual_seed(17)
    cell = nn.LSTMCell(5, 4)

    def cell_forward(m, x, h, c):
        h1, c1 = m(x, (h, c))
        h2, c2 = m(x * 0.5, (h1, c1))
        return {"h": h2, "c": c2}

    case("lstmcell", cell, {"x": rand(3, 5, seed=18), "h": rand(3, 4, seed=19), "c": rand(3, 4, seed=20)}, cell_forward)

    mha = randomize(nn.MultiheadAttention(8, 2, batch_first=True), 21)
    kv_lengths = [5, 2]

    def mha_forward(m, q, kv):
        pad = torch.arange(kv.shape[1])[None, :] >= torch.tensor(kv_lengths)[:, None]
        y, _ = m(q, kv, kv, key_padding_mask=pad, need_weights=False)
        return {"y": y}

    case("mha", mha, {"q": rand(2, 3, 8, seed=22), "kv": rand(2, 5, 8, seed=23)}, mha_forward, {"kv": kv_lengths})


# ---------------------------------------------------------------------------------------------
# MulT encoder twin


def sinusoidal(lengths, steps, dim):
    half = dim // 2
    rate = math.log(10000.0) / max(half - 1, 1)
    freqs = torch.exp(torch.arange(half, dtype=torch.float64) * -rate)
    out = torch.zeros(len(lengths), steps, dim, dtype=torch.float64)
    for b, length in enumerate(lengths):
        pos = torch.arange(1, min(length, steps) + 1, dtype=torch.float64)[:, None] * freqs[None, :]
        out[b, : pos.shape[0], :half] = torch.sin(pos)
        out[b, : pos.shape[0], half: 2 * half] = torch.cos(pos)
    return out.float()


class MulTLayer(nn.Module):
    def __init__(self, d, heads):
        super().__init__()
        self.self_attn = nn.MultiheadAttention(d, heads, batch_first=True)
        self.fc1 = nn.Linear(d, 4 * d)
        self.fc2 = nn.Linear(4 * d, d)
        self.layer_norms = nn.ModuleList([nn.LayerNorm(d), nn.LayerNorm(d)])

    def forward(self, x, kv, key_pad, attn_mask=None):
        r = x
        x = self.layer_norms[0](x)
        kv = x if kv is None else self.layer_norms[0](kv)
        if attn_mask is None:
            x, _ = self.self_attn(x, kv, kv, key_padding_mask=key_pad, need_weights=False)
        else:
            x, _ = self.self_attn(x, kv, kv, attn_mask=attn_mask, need_weights=False)
        x = r + x
        r = x
        x = self.fc2(torch.relu(self.fc1(self.layer_norms[1](x))))
        return r + x


class MulTEncoder(nn.Module):
    """causal: the official MulT's buffered_future_mask, triu(-inf, 1 + |Lk - Lq|), built per
    sequence on its true lengths and combined with the key padding (boolean, True = hidden)."""

    def __init__(self, d, heads, n, causal=False):
        super().__init__()
        self.d = d
        self.heads = heads
        self.causal = causal
        self.layers = nn.ModuleList([MulTLayer(d, heads) for _ in range(n)])
        self.layer_norm = nn.LayerNorm(d)

    def forward(self, x, lengths, kv=None, kv_lengths=None):
        scale = math.sqrt(self.d)
        x = scale * x + sinusoidal(lengths, x.shape[1], self.d)
        if kv is not None:
            kv = scale * kv + sinusoidal(kv_lengths, kv.shape[1], self.d)
        key_lengths = lengths if kv is None else kv_lengths
        steps = x.shape[1] if kv is None else kv.shape[1]
        pad = torch.arange(steps)[None, :] >= torch.tensor(key_lengths)[:, None]
        mask = None
        if self.causal:
            blocks = []
            for b, (lq, lk) in enumerate(zip(lengths, key_lengths)):
                hidden = pad[b][None, :].repeat(x.shape[1], 1)
                future = torch.triu(torch.ones(lq, lk, dtype=torch.bool), 1 + abs(lk - lq))
                hidden[:lq, :lk] |= future
                blocks.append(hidden)
            mask = torch.stack(blocks).repeat_interleave(self.heads, dim=0)
        for layer in self.layers:
            x = layer(x, kv, pad, mask)
        # Steps past a sequence's length are 0 in the output (ours does not attend from them).
        valid = torch.arange(x.shape[1])[None, :] < torch.tensor(lengths)[:, None]
        return self.layer_norm(x) * valid[:, :, None]


def transformers():
    q_lengths, kv_lengths = [4, 2], [6, 3]
    enc = randomize(MulTEncoder(8, 2, 2), 31)
    case("mult_cross", enc, {"x": rand(2, 4, 8, seed=32), "kv": rand(2, 6, 8, seed=33)},
         lambda m, x, kv: {"y": m(x, q_lengths, kv, kv_lengths)}, {"x": q_lengths, "kv": kv_lengths})
    enc = randomize(MulTEncoder(8, 2, 2), 34)
    case("mult_self", enc, {"x": rand(2, 5, 8, seed=35)}, lambda m, x: {"y": m(x, [5, 3])}, {"x": [5, 3]})


# ---------------------------------------------------------------------------------------------
# Fused attention with MulT's future mask


def attention_reference(q, k, v, heads, q_lengths, k_lengths, causal):
    """Our `Tensor.attention` in float64: q is already scaled, each sequence uses only its first
    lq queries and lk keys, rows past lq are 0.

    The official MulT (yaohungt/Multimodal-Transformer, modules/transformer.py) adds
        buffered_future_mask: triu(fill_with_neg_inf(ones(dim1, dim2)), 1 + abs(dim2 - dim1))
    to the scores before the softmax, dim1 = query steps, dim2 = key steps. Ours applies it to
    each sequence's true lengths: query i sees key j iff j - i < 1 + |lk - lq|.
    """
    B, Tq, _ = q.shape
    d, dv = q.shape[2] // heads, v.shape[2] // heads
    rows = []
    for b in range(B):
        lq, lk = q_lengths[b], k_lengths[b]
        out_b = []
        for h in range(heads):
            qh = q[b, :lq, h * d:(h + 1) * d]
            kh = k[b, :lk, h * d:(h + 1) * d]
            vh = v[b, :lk, h * dv:(h + 1) * dv]
            scores = qh @ kh.T
            if causal:
                # The official construction, on this sequence's true lengths (dim1 = lq, dim2 = lk).
                future_mask = torch.triu(torch.full((lq, lk), float("-inf"), dtype=scores.dtype), 1 + abs(lk - lq))
                scores = scores + future_mask
            out_b.append(torch.softmax(scores, dim=-1) @ vh)
        pad = q.new_zeros(Tq - lq, heads * dv)
        rows.append(torch.cat([torch.cat(out_b, dim=1), pad], dim=0))
    return torch.stack(rows)


def attention_causal():
    """attention_causal.h5: one group per case with inputs/{q,k,v,query_lengths,key_lengths},
    heads [1], weights/out, outputs/out, outputs/out_unmasked (causal off) and
    grads/inputs/{q,k,v} of sum(out * weights/out) with the mask on."""
    B, H, d, dv = 2, 2, 3, 2
    cases = {  # name: (Tq, Tk, query lengths, key lengths)
        "equal": (6, 6, [6, 4], [6, 4]),
        "more_keys": (5, 9, [5, 3], [9, 6]),
        "more_queries": (8, 4, [8, 5], [4, 2]),
        "some_more_queries": (5, 4, [5, 4], [4, 3]),
    }
    groups = {}
    for n, (name, (Tq, Tk, ql, kl)) in enumerate(cases.items()):
        g = torch.Generator().manual_seed(61 + n)
        q32 = torch.randn(B, Tq, H * d, generator=g)
        k32 = torch.randn(B, Tk, H * d, generator=g)
        v32 = torch.randn(B, Tk, H * dv, generator=g)
        w32 = torch.rand(B, Tq, H * dv, generator=g) + 0.5
        q, k, v = (x.double().requires_grad_(True) for x in (q32, k32, v32))
        out = attention_reference(q, k, v, H, ql, kl, causal=True)
        (out * w32.double()).sum().backward()
        with torch.no_grad():
            unmasked = attention_reference(q, k, v, H, ql, kl, causal=False)
        groups[f"{name}/inputs"] = {"q": q32, "k": k32, "v": v32,
                                    "query_lengths": np.asarray(ql, dtype=np.int64),
                                    "key_lengths": np.asarray(kl, dtype=np.int64)}
        groups[name] = {"heads": np.asarray([H], dtype=np.int64)}
        groups[f"{name}/weights"] = {"out": w32}
        groups[f"{name}/outputs"] = {"out": out, "out_unmasked": unmasked}
        groups[f"{name}/grads/inputs"] = {"q": q.grad, "k": k.grad, "v": v.grad}
    write("attention_causal.h5", groups)


# ---------------------------------------------------------------------------------------------
# Optimizers and schedules


def optimizers():
    def trajectory(name, make):
        w = nn.Parameter(rand(2, 3, seed=41))
        b = nn.Parameter(rand(3, seed=42))
        opt = make([w, b])
        grads_w = [rand(2, 3, seed=100 + s) for s in range(10)]
        grads_b = [rand(3, seed=200 + s) for s in range(10)]
        groups = {"initial": {"weight": w.detach().clone(), "bias": b.detach().clone()},
                  "grads": {"weight": torch.stack(grads_w), "bias": torch.stack(grads_b)}}
        ws, bs = [], []
        for s in range(10):
            w.grad = grads_w[s].clone()
            b.grad = grads_b[s].clone()
            opt.step()
            ws.append(w.detach().clone())
            bs.append(b.detach().clone())
        groups["steps"] = {"weight": torch.stack(ws), "bias": torch.stack(bs)}
        write(f"optim_{name}.h5", groups)

    trajectory("sgd", lambda p: torch.optim.SGD(p, lr=0.1))
    trajectory("sgd_momentum", lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9, dampening=0.1, weight_decay=0.01))
    trajectory("sgd_nesterov", lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9, nesterov=True))
    trajectory("adam", lambda p: torch.optim.Adam(p, lr=0.01, weight_decay=0.01))
    trajectory("adamw", lambda p: torch.optim.AdamW(p, lr=0.01, weight_decay=0.1))

    # Clipping: the same gradients clipped by global norm and by value.
    w = nn.Parameter(torch.zeros(2, 3))
    b = nn.Parameter(torch.zeros(3))
    gw, gb = rand(2, 3, seed=51) * 3, rand(3, seed=52) * 3
    w.grad, b.grad = gw.clone(), gb.clone()
    norm = torch.nn.utils.clip_grad_norm_([w, b], 1.5)
    clipped_norm = {"weight": w.grad.clone(), "bias": b.grad.clone()}
    w.grad, b.grad = gw.clone(), gb.clone()
    torch.nn.utils.clip_grad_value_([w, b], 0.7)
    write("clipping.h5", {"grads": {"weight": gw, "bias": gb}, "norm": {"weight": clipped_norm["weight"], "bias": clipped_norm["bias"], "total": norm.reshape(1)},
                          "value": {"weight": w.grad, "bias": b.grad}})

    # ReduceLROnPlateau over a fixed metric sequence; LambdaLR cosine with warm-up.
    p = nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([p], lr=1.0)
    plateau = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, mode="min", factor=0.5, patience=2, cooldown=1, min_lr=0.05)
    metrics = [1.0, 0.9, 0.95, 0.91, 0.92, 0.93, 0.8, 0.85, 0.86, 0.87, 0.88, 0.89, 0.9, 0.91, 0.92, 0.93, 0.94, 0.95]
    lrs = []
    for m in metrics:
        plateau.step(m)
        lrs.append(opt.param_groups[0]["lr"])
    opt = torch.optim.SGD([p], lr=0.5)
    warm, total = 3, 10

    def lam(s):
        if s < warm:
            return s / max(1, warm)
        progress = (s - warm) / max(1, total - warm)
        return max(0.0, 0.5 * (1 + math.cos(math.pi * progress)))

    cosine = torch.optim.lr_scheduler.LambdaLR(opt, lam)
    cos_lrs = [opt.param_groups[0]["lr"]]
    for _ in range(12):
        opt.step()
        cosine.step()
        cos_lrs.append(opt.param_groups[0]["lr"])
    write("schedules.h5", {"plateau": {"metrics": np.array(metrics), "lrs": np.array(lrs)},
                           "cosine": {"lrs": np.array(cos_lrs)}})


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Writes the NN tests' PyTorch reference fixtures.")
    parser.add_argument("--only", choices=["attention_causal"], help="write only this fixture file")
    args = parser.parse_args()
    os.makedirs(OUT, exist_ok=True)
    if args.only == "attention_causal":
        attention_causal()
    else:
        layers()
        transformers()
        attention_causal()
        optimizers()
    print("wrote", sorted(os.listdir(OUT)))
