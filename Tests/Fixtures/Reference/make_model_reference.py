#!/usr/bin/env python3
"""PyTorch twins of the six fusion models, and the parity fixtures the Swift models must match.

Pinned: torch 2.15.0, h5py 3.16.0, numpy 2.4.6 (CPU, float32). Run from the repository root:

    .venv-torch/bin/python Tests/Fixtures/Reference/make_model_reference.py

The twins are our own code, written from the papers and ../shared/reference/mmsa-notes.md with
the same choices as the Swift models (true lengths everywhere, audio/video aligned to text
tokens for EF-LSTM and MFN, masked keys, the future mask on true lengths and last-true-step read-out for MulT, own lengths for
MISA's audio/video encoders). Hyperparameters are the small ones of
Tests/FusionModelsTests (smallConfigurations) with every dropout 0, so that both sides are
deterministic. For each model, Tests/FusionModelsTests/Fixtures/<model>.h5 holds the twin's
weights (state/<key>, our checkpoint layout), a padded batch (inputs/, lengths/, labels),
the logits and loss (task cross-entropy + auxiliary loss), and the gradients of that loss
with respect to the inputs and every parameter. `--benchmark` is used by bench/torch_reference.py.
"""
import math
import os
import sys

import h5py
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

sys.path.insert(0, os.path.dirname(__file__))
from make_torch_reference import MulTEncoder  # noqa: E402

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "FusionModelsTests", "Fixtures")
MODALITIES = ["text", "audio", "video"]


def run_lstm(lstm, x, lengths):
    """Packed LSTM over true lengths: (padded output, h_n, c_n)."""
    packed = pack_padded_sequence(x, torch.as_tensor(lengths), batch_first=True, enforce_sorted=False)
    out, (h, c) = lstm(packed)
    out, _ = pad_packed_sequence(out, batch_first=True, total_length=x.shape[1])
    return out, h, c


def masked_mean(x, lengths):
    mask = (torch.arange(x.shape[1])[None, :] < torch.as_tensor(lengths)[:, None]).float()
    return (x * mask[:, :, None]).sum(1) / torch.as_tensor(lengths, dtype=torch.float32)[:, None]


def last_step(x, lengths):
    return x[torch.arange(x.shape[0]), torch.as_tensor(lengths) - 1]


def align(x, lengths, targets):
    """Mean of equal slices of each clip's true frames, one per target step."""
    b, t, _ = x.shape
    n_max = max(targets)
    w = torch.zeros(b, n_max, t)
    for i in range(b):
        n, length = targets[i], lengths[i]
        for j in range(n):
            lo = j * length // n
            hi = max((j + 1) * length // n, lo + 1)
            hi = min(hi, length)
            w[i, j, lo:hi] = 1.0 / (hi - lo)
    return torch.bmm(w, x)


class EFLSTM(nn.Module):
    def __init__(self, dims, classes, hidden=16, layers=2):
        super().__init__()
        self.lstm = nn.LSTM(sum(dims.values()), hidden, layers, batch_first=True)
        self.linear = nn.Linear(hidden, hidden)
        self.out = nn.Linear(hidden, classes)

    def forward(self, x, lengths):
        steps = lengths["text"]
        parts = [x["text"]] + [align(x[m], lengths[m], steps) for m in ("audio", "video")]
        _, h, _ = run_lstm(self.lstm, torch.cat(parts, -1), steps)
        return self.out(F.relu(self.linear(h[-1]))), None


class SubNet(nn.Module):
    def __init__(self, d, h):
        super().__init__()
        self.norm = nn.BatchNorm1d(d)
        self.linear_1, self.linear_2, self.linear_3 = nn.Linear(d, h), nn.Linear(h, h), nn.Linear(h, h)

    def forward(self, x):
        return F.relu(self.linear_3(F.relu(self.linear_2(F.relu(self.linear_1(self.norm(x)))))))


class TextSubNet(nn.Module):
    def __init__(self, d, h, out):
        super().__init__()
        self.rnn = nn.LSTM(d, h, batch_first=True)
        self.linear_1 = nn.Linear(h, out)

    def forward(self, x, lengths):
        _, h, _ = run_lstm(self.rnn, x, lengths)
        return self.linear_1(h[0])


class Encoder(nn.Module):
    def __init__(self, m, d, h, text_out):
        super().__init__()
        self.m = m
        self.subnet = TextSubNet(d, h, text_out) if m == "text" else SubNet(d, h)

    def forward(self, x, lengths):
        if self.m == "text":
            return self.subnet(x, lengths)
        return self.subnet(masked_mean(x, lengths))

    def out_size(self):
        return self.subnet.linear_1.out_features if self.m == "text" else self.subnet.linear_3.out_features


class LateFusion(nn.Module):
    """LF-DNN (concatenation) and TFN (outer product of [1; h] over audio, video, text)."""

    def __init__(self, dims, classes, hidden, text_out, post, tensor_fusion):
        super().__init__()
        self.tensor_fusion = tensor_fusion
        self.order = ["audio", "video", "text"] if tensor_fusion else MODALITIES
        for m in self.order:
            setattr(self, m, Encoder(m, dims[m], hidden[m], text_out))
        if tensor_fusion:
            fused = math.prod(getattr(self, m).out_size() + 1 for m in self.order)
        else:
            fused = sum(getattr(self, m).out_size() for m in self.order)
        self.post_fusion_layer_1 = nn.Linear(fused, post)
        self.post_fusion_layer_2 = nn.Linear(post, post)
        self.post_fusion_layer_3 = nn.Linear(post, classes)

    def forward(self, x, lengths):
        parts = [getattr(self, m)(x[m], lengths[m]) for m in self.order]
        if self.tensor_fusion:
            b = parts[0].shape[0]
            z = None
            for p in parts:
                h = torch.cat([torch.ones(b, 1), p], 1)
                z = h if z is None else torch.bmm(z.unsqueeze(2), h.unsqueeze(1)).reshape(b, -1)
        else:
            z = torch.cat(parts, 1)
        y = F.relu(self.post_fusion_layer_2(F.relu(self.post_fusion_layer_1(z))))
        return self.post_fusion_layer_3(y), None


class MFN(nn.Module):
    def __init__(self, dims, classes, hidden, mem=16, att=128, cand=128, gate=64, out=64):
        super().__init__()
        self.letters = {"text": "T", "audio": "A", "video": "V"}
        for m in MODALITIES:
            setattr(self, f"lstm_{self.letters[m]}", nn.LSTMCell(dims[m], hidden[m]))
        total = sum(hidden.values())
        self.hidden, self.mem = hidden, mem
        self.att1_fc1, self.att1_fc2 = nn.Linear(2 * total, att), nn.Linear(att, 2 * total)
        self.att2_fc1, self.att2_fc2 = nn.Linear(2 * total, cand), nn.Linear(cand, mem)
        self.gamma1_fc1, self.gamma1_fc2 = nn.Linear(2 * total + mem, gate), nn.Linear(gate, mem)
        self.gamma2_fc1, self.gamma2_fc2 = nn.Linear(2 * total + mem, gate), nn.Linear(gate, mem)
        self.out_fc1, self.out_fc2 = nn.Linear(total + mem, out), nn.Linear(out, classes)

    def forward(self, x, lengths):
        steps = lengths["text"]
        inputs = [x["text"]] + [align(x[m], lengths[m], steps) for m in ("audio", "video")]
        b = inputs[0].shape[0]
        h = [torch.zeros(b, self.hidden[m]) for m in MODALITIES]
        c = [torch.zeros(b, self.hidden[m]) for m in MODALITIES]
        mem = torch.zeros(b, self.mem)
        for t in range(max(steps)):
            mask = (t < torch.as_tensor(steps))[:, None]
            new = [getattr(self, f"lstm_{self.letters[m]}")(inputs[i][:, t], (h[i], c[i])) for i, m in enumerate(MODALITIES)]
            new_h, new_c = [n[0] for n in new], [n[1] for n in new]
            c_star = torch.cat(c + new_c, 1)
            attended = F.softmax(self.att1_fc2(F.relu(self.att1_fc1(c_star))), dim=1) * c_star
            cand = torch.tanh(self.att2_fc2(F.relu(self.att2_fc1(attended))))
            both = torch.cat([attended, mem], 1)
            g1 = torch.sigmoid(self.gamma1_fc2(F.relu(self.gamma1_fc1(both))))
            g2 = torch.sigmoid(self.gamma2_fc2(F.relu(self.gamma2_fc1(both))))
            new_mem = g1 * mem + g2 * cand
            h = [torch.where(mask, n, o) for n, o in zip(new_h, h)]
            c = [torch.where(mask, n, o) for n, o in zip(new_c, c)]
            mem = torch.where(mask, new_mem, mem)
        return self.out_fc2(F.relu(self.out_fc1(torch.cat(h + [mem], 1)))), None


class MulT(nn.Module):
    def __init__(self, dims, classes, d=16, heads=4, layers=1, kernels=None):
        super().__init__()
        kernels = kernels or {"text": 5, "audio": 1, "video": 1}
        self.n = {"text": "l", "audio": "a", "video": "v"}
        for m in MODALITIES:
            k = kernels[m]
            setattr(self, f"proj_{self.n[m]}", nn.Conv1d(dims[m], d, k, padding=(k - 1) // 2, bias=False))
        for t in MODALITIES:
            for s in MODALITIES:
                if s != t:
                    setattr(self, f"trans_{self.n[t]}_with_{self.n[s]}", MulTEncoder(d, heads, layers, causal=True))
            setattr(self, f"trans_{self.n[t]}_mem", MulTEncoder(2 * d, heads, max(layers, 3), causal=True))
        combined = 3 * 2 * d
        self.proj1, self.proj2 = nn.Linear(combined, combined), nn.Linear(combined, combined)
        self.out_layer = nn.Linear(combined, classes)

    def forward(self, x, lengths):
        p = {m: getattr(self, f"proj_{self.n[m]}")(x[m].transpose(1, 2)).transpose(1, 2) for m in MODALITIES}
        reads = []
        for t in MODALITIES:
            streams = [getattr(self, f"trans_{self.n[t]}_with_{self.n[s]}")(p[t], lengths[t], p[s], lengths[s]) for s in MODALITIES if s != t]
            h = getattr(self, f"trans_{self.n[t]}_mem")(torch.cat(streams, 2), lengths[t])
            reads.append(last_step(h, lengths[t]))
        last = torch.cat(reads, 1)
        return self.out_layer(self.proj2(F.relu(self.proj1(last))) + last), None


class SequenceEncoder(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.rnn1 = nn.LSTM(d, d, bidirectional=True, batch_first=True)
        self.layer_norm = nn.LayerNorm(2 * d)
        self.rnn2 = nn.LSTM(2 * d, d, bidirectional=True, batch_first=True)

    def forward(self, x, lengths):
        out1, h1, _ = run_lstm(self.rnn1, x, lengths)
        _, h2, _ = run_lstm(self.rnn2, self.layer_norm(out1), lengths)
        both = torch.cat([h1, h2], 2).permute(1, 0, 2)
        return both.reshape(both.shape[0], -1)


def cmd(x, y, moments=5):
    def norm(d):
        return torch.sqrt((d * d).sum() + 1e-12)

    mx, my = x.mean(0, keepdim=True), y.mean(0, keepdim=True)
    cx, cy = x - mx, y - my
    total = norm(mx - my)
    for k in range(2, moments + 1):
        total = total + norm((cx ** k).mean(0) - (cy ** k).mean(0))
    return total


def orthogonality(a, b):
    def normalized(z):
        z = z - z.mean(0, keepdim=True)
        n = torch.sqrt((z * z).sum(1, keepdim=True)).detach() + 1e-6
        return z / n

    return ((normalized(a).t() @ normalized(b)) ** 2).mean()


class MISA(nn.Module):
    def __init__(self, dims, classes, h=16, ff=32, weights=(0.3, 1.0, 0.8)):
        super().__init__()
        self.n = {"text": "t", "audio": "a", "video": "v"}
        self.weights = weights
        for m in MODALITIES:
            width = dims[m]
            if m != "text":
                setattr(self, f"{self.n[m]}_encoder", SequenceEncoder(dims[m]))
                width = 4 * dims[m]
            setattr(self, f"project_{self.n[m]}", nn.ModuleDict({"linear": nn.Linear(width, h), "norm": nn.LayerNorm(h)}))
        for m in MODALITIES:
            setattr(self, f"private_{self.n[m]}", nn.Linear(h, h))
        self.shared = nn.Linear(h, h)
        for m in MODALITIES:
            setattr(self, f"recon_{self.n[m]}", nn.Linear(h, h))
        self.transformer = nn.TransformerEncoderLayer(h, 2, dim_feedforward=ff, dropout=0.0, batch_first=True)
        self.fusion = nn.ModuleDict({"layer_1": nn.Linear(6 * h, 3 * h), "layer_3": nn.Linear(3 * h, classes)})

    def forward(self, x, lengths):
        privates, shareds, recon = [], [], 0
        for m in MODALITIES:
            raw = masked_mean(x[m], lengths[m]) if m == "text" else getattr(self, f"{self.n[m]}_encoder")(x[m], lengths[m])
            proj = getattr(self, f"project_{self.n[m]}")
            u = proj["norm"](F.relu(proj["linear"](raw)))
            p = torch.sigmoid(getattr(self, f"private_{self.n[m]}")(u))
            s = torch.sigmoid(self.shared(u))
            privates.append(p)
            shareds.append(s)
            recon = recon + ((getattr(self, f"recon_{self.n[m]}")(p + s) - u) ** 2).mean()
        recon = recon / 3
        sims = [cmd(shareds[i], shareds[j]) for i in range(3) for j in range(i + 1, 3)]
        sim = sum(sims) / len(sims)
        diffs = [orthogonality(privates[i], shareds[i]) for i in range(3)]
        diffs += [orthogonality(privates[i], privates[j]) for i in range(3) for j in range(i + 1, 3)]
        diff = sum(diffs)
        aux = self.weights[0] * diff + self.weights[1] * sim + self.weights[2] * recon
        fused = self.transformer(torch.stack(privates + shareds, 1)).reshape(x["text"].shape[0], -1)
        return self.fusion["layer_3"](F.relu(self.fusion["layer_1"](fused))), aux


def models(dims, classes):
    return {
        "ef-lstm": EFLSTM(dims, classes),
        "lf-dnn": LateFusion(dims, classes, {"text": 16, "audio": 8, "video": 16}, 16, 16, tensor_fusion=False),
        "tfn": LateFusion(dims, classes, {"text": 8, "audio": 4, "video": 8}, 8, 16, tensor_fusion=True),
        "mfn": MFN(dims, classes, {"text": 16, "audio": 8, "video": 16}),
        "mult": MulT(dims, classes),
        "misa": MISA(dims, classes),
    }


def sims_models(dims, classes):
    """The twins with MMSA's `sims` hyperparameters (our defaults), for parameter counts."""
    return {
        "ef-lstm": EFLSTM(dims, classes, hidden=32, layers=3),
        "lf-dnn": LateFusion(dims, classes, {"text": 128, "audio": 32, "video": 128}, 256, 32, tensor_fusion=False),
        "tfn": LateFusion(dims, classes, {"text": 128, "audio": 32, "video": 128}, 256, 32, tensor_fusion=True),
        "mfn": MFN(dims, classes, {"text": 64, "audio": 16, "video": 64}, mem=64),
        "mult": MulT(dims, classes, d=50, heads=10, layers=2),
        "misa": MISA(dims, classes, h=128, ff=2048),
    }


def parameter_counts():
    import json
    dims = {"text": 768, "audio": 18, "video": 673}
    counts = {}
    for classes in (3, 7):
        for name, model in sims_models(dims, classes).items():
            counts.setdefault(name, {})[str(classes)] = sum(p.numel() for p in model.parameters())
            del model
    with open(os.path.join(OUT, "parameter_counts.json"), "w") as f:
        json.dump(counts, f, indent=2, sort_keys=True)
    print("parameter counts", counts)


def main():
    os.makedirs(OUT, exist_ok=True)
    parameter_counts()
    dims = {"text": 6, "audio": 3, "video": 5}
    padded = {"text": 7, "audio": 12, "video": 8}
    lengths = {"text": [7, 4, 2], "audio": [12, 7, 3], "video": [8, 5, 1]}
    labels = [0, 2, 1]
    g = torch.Generator().manual_seed(5)
    for name, model in models(dims, 3).items():
        torch.manual_seed(11)
        with torch.no_grad():
            for p in model.parameters():
                p.copy_(torch.rand(p.shape, generator=g) - 0.5)
        model.train()
        state = {k: v.detach().clone() for k, v in model.state_dict().items()}
        x = {}
        for m in MODALITIES:
            v = torch.randn(3, padded[m], dims[m], generator=g)
            for b, length in enumerate(lengths[m]):
                v[b, length:] = 0
            x[m] = v.requires_grad_(True)
        logits, aux = model(x, lengths)
        loss = F.cross_entropy(logits, torch.tensor(labels))
        if aux is not None:
            loss = loss + aux
        loss.backward()
        with h5py.File(os.path.join(OUT, f"{name}.h5"), "w") as f:
            for k, v in state.items():
                f.create_dataset(f"state/{k}", data=v.numpy().astype(np.float32))
            for m in MODALITIES:
                f.create_dataset(f"inputs/{m}", data=x[m].detach().numpy())
                f.create_dataset(f"lengths/{m}", data=np.array(lengths[m], dtype=np.int64))
                f.create_dataset(f"grads/inputs/{m}", data=x[m].grad.numpy())
            f.create_dataset("labels", data=np.array(labels, dtype=np.int64))
            f.create_dataset("outputs/logits", data=logits.detach().numpy())
            f.create_dataset("outputs/loss", data=np.array([loss.item()], dtype=np.float32))
            for k, p in model.named_parameters():
                f.create_dataset(f"grads/params/{k}", data=p.grad.numpy())
        print(name, "parameters", sum(p.numel() for p in model.parameters()), "loss", loss.item())


if __name__ == "__main__":
    main()
