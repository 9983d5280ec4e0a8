#!/usr/bin/env python3
"""Times the PyTorch twins of the six models the way `baselines bench models` times ours.

Same shapes (IndoMER widths, batch 32, default `sims` hyperparameters), same length cases
(full padded release lengths, or realistic true lengths from a seeded distribution with mean
5.37 s), same step (forward, backward, Adam), median of timed steps after 2 warm-up steps,
`torch.set_num_threads(--threads)`. One JSON object per line. The twins honour true lengths
(packed LSTMs, key-padding masks), as ours do; MulT gets audio averaged in windows of 4.

    python3 bench/torch_reference.py --threads 2 --cases realistic full --models ef-lstm mult
"""
import argparse
import json
import math
import os
import random
import statistics
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "Tests", "Fixtures", "Reference"))
from make_model_reference import MODALITIES, sims_models  # noqa: E402

DIMS = {"text": 768, "audio": 18, "video": 673}
PADDED = {"text": 69, "audio": 2252, "video": 723}


def batch(case, size, seed=7):
    rng = random.Random(seed)
    lengths = {m: [] for m in MODALITIES}
    for _ in range(size):
        seconds = min(9, max(1.5, 5.37 * math.exp(0.35 * rng.gauss(0, 1) - 0.06125)))
        for m in MODALITIES:
            if case == "full":
                lengths[m].append(PADDED[m])
            else:
                lengths[m].append({"text": 8 + rng.randrange(33), "audio": int(seconds * 100), "video": int(seconds * 25)}[m])
    x = {}
    for m in MODALITIES:
        t = max(lengths[m])
        v = torch.randn(size, t, DIMS[m])
        for b, length in enumerate(lengths[m]):
            v[b, length:] = 0
        x[m] = v
    return x, lengths


def pool_audio(x, lengths, k=4):
    a = x["audio"]
    b, t, d = a.shape
    steps = (t + k - 1) // k
    padded = torch.zeros(b, steps * k, d)
    padded[:, :t] = a
    counts = torch.zeros(b, steps * k)
    for i, length in enumerate(lengths["audio"]):
        counts[i, :length] = 1
    sums = padded.reshape(b, steps, k, d).sum(2)
    n = counts.reshape(b, steps, k).sum(2).clamp(min=1)
    x = dict(x, audio=sums / n[:, :, None])
    lengths = dict(lengths, audio=[(length + k - 1) // k for length in lengths["audio"]])
    return x, lengths


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--cases", nargs="+", default=["realistic", "full"])
    parser.add_argument("--models", nargs="+", default=["ef-lstm", "lf-dnn", "tfn", "mfn", "mult", "misa"])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--batch", type=int, default=32)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    for case in args.cases:
        x, lengths = batch(case, args.batch)
        labels = torch.tensor([i % 3 for i in range(args.batch)])
        for name in args.models:
            model = sims_models(DIMS, 3)[name]
            model.train()
            inputs, lens = pool_audio(x, lengths) if name == "mult" else (x, lengths)
            optimizer = torch.optim.Adam(model.parameters(), lr=1e-4)

            def step():
                logits, aux = model(inputs, lens)
                loss = F.cross_entropy(logits, labels)
                if aux is not None:
                    loss = loss + aux
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()

            times = []
            for i in range(2 + args.repeats):
                start = time.perf_counter()
                step()
                if i >= 2:
                    times.append(time.perf_counter() - start)
            model.eval()
            with torch.no_grad():
                inference = []
                for i in range(2 + args.repeats):
                    start = time.perf_counter()
                    model(inputs, lens)
                    if i >= 2:
                        inference.append(time.perf_counter() - start)
            print(json.dumps({"bench": "models.torch", "model": name, "lengths": case, "batch": args.batch,
                              "trainStepMs": statistics.median(times) * 1e3, "inferenceMs": statistics.median(inference) * 1e3,
                              "threads": args.threads, "torch": torch.__version__}), flush=True)
            del model, optimizer


if __name__ == "__main__":
    main()
