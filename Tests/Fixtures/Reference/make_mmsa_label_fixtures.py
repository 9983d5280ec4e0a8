"""How MMSA 2.2.1 itself turns a regression score into a class, for every task our MMSA data
sets define: Tests/DatasetsTests/Fixtures/mmsa_labels.json.

MMSA never names a sample's class; its metrics (MMSA/utils/metricsTop.py) compare the classes of
predictions and truths. So each probe value x is classified by MMSA's own metric function:
for every class k, x is scored as a prediction against one truth r_k from the inside of class k
(beside one sample that always matches), and x is in class k when that accuracy is 1 (exactly one k matches; checked). Values include
every bin edge, halves (NumPy's round-half-to-even), -0.0, and the float32 neighbours of the
edges, all as float32, as MMSA computes.

Set-up (the released wheel, not GitHub HEAD; docs/mmsa-2.2.1.md):
    python3 -m venv .venv-mmsa
    .venv-mmsa/bin/pip install --no-deps mmsa==2.2.1
    .venv-mmsa/bin/pip install torch --index-url https://download.pytorch.org/whl/cpu  # or any torch
    .venv-mmsa/bin/pip install numpy scikit-learn pandas easydict tqdm transformers nvidia-ml-py3
    .venv-mmsa/bin/python Tests/Fixtures/Reference/make_mmsa_label_fixtures.py
Written with mmsa 2.2.1, torch 2.13 (CPU), numpy 2.4.6.
"""
import json
import pathlib
import warnings

import numpy as np
import torch
from MMSA.utils.metricsTop import MetricsTop

warnings.simplefilter("ignore")  # the one-sample correlation is NaN; it is not used
metrics = MetricsTop("regression")
sims = metrics.getMetics("SIMS")
cmu = metrics.getMetics("MOSI")

# task name -> (metric function, accuracy key, one truth inside each class)
TASKS = {
    "sims-2": (sims, "Mult_acc_2", [-0.5, 0.5]),
    "sims-3": (sims, "Mult_acc_3", [-0.5, 0.0, 0.5]),
    "sims-5": (sims, "Mult_acc_5", [-0.9, -0.4, 0.0, 0.4, 0.9]),
    "cmu-2-has0": (cmu, "Has0_acc_2", [-1.0, 1.0]),
    "cmu-2-non0": (cmu, "Non0_acc_2", [-1.0, 1.0]),
    "cmu-5": (cmu, "Mult_acc_5", [-2.0, -1.0, 0.0, 1.0, 2.0]),
    "cmu-7": (cmu, "Mult_acc_7", [-3.0, -2.0, -1.0, 0.0, 1.0, 2.0, 3.0]),
}

edges = [-3.0, -2.5, -2.0, -1.5, -1.0, -0.7, -0.5, -0.1, 0.0, 0.1, 0.5, 0.7, 1.0, 1.5, 2.0,
         2.5, 3.0]
values = set(np.float32(x) for x in np.arange(-3.6, 3.61, 0.05))
for e in edges:
    e = np.float32(e)
    values |= {e, np.nextafter(e, np.float32(-np.inf)), np.nextafter(e, np.float32(np.inf))}
values |= {np.float32(x) for x in (-1.01, 1.01, -3.5, 3.5, 0.2, -0.2, 0.4, -0.6, 0.8, -0.8)}
values = sorted(values)

def classify(function, key, truths, x):
    # A second, always-matching sample (prediction = truth = 0.9) keeps MOSI's non-zero
    # selection non-empty when r_k is 0; the probe matches when the accuracy is 1.
    hits = []
    for k, r in enumerate(truths):
        result = function(torch.tensor([[x], [0.9]], dtype=torch.float32),
                          torch.tensor([[r], [0.9]], dtype=torch.float32))
        if float(result[key]) == 1.0:
            hits.append(k)
    assert len(hits) == 1, (key, x, hits)
    return hits[0]

cases = []
for name, (function, key, truths) in TASKS.items():
    for x in values:
        cases.append({"task": name, "score": float(x),
                      "class": classify(function, key, truths, x)})
# -0.0 is 0 for every rule (np.float32(-0.0) sorts beside 0.0 and is not kept by the set).
for name, (function, key, truths) in TASKS.items():
    cases.append({"task": name, "score": -0.0,
                  "class": classify(function, key, truths, np.float32(-0.0))})

out = pathlib.Path(__file__).resolve().parents[2] / "DatasetsTests/Fixtures/mmsa_labels.json"
out.write_text(json.dumps({"mmsa": "2.2.1", "cases": cases}, indent=0) + "\n")
print(f"{len(cases)} cases -> {out}")
