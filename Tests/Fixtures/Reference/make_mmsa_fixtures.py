#!/usr/bin/env python3
"""Writes small MMSA-format feature pickles for Tests/DatasetsTests/MMSAReaderTests.swift, laid
out as MMSA-FET and MMSA's older DataPre write them (docs/mmsa-2.2.1.md, section 1).

    python3 Tests/Fixtures/Reference/make_mmsa_fixtures.py      # numpy 2.4.6, Python 3.11

Files (Tests/DatasetsTests/Fixtures/mmsa/):
- sims_unaligned.pkl (protocol 5, as MMSA-FET): float64 arrays; text (N, 6, 4) zero-padded at
  the end; text_bert (N, 3, 6) (ids, mask, segments; the mask gives the text lengths); audio
  (N, 9, 3) with one -inf (MMSA zeroes it) and vision (N, 5, 2); audio_lengths and
  vision_lengths int64 arrays; id and raw_text as NumPy str arrays ("video$_$clip");
  regression_labels and regression_labels_T/A/V float64; splits train 6, valid 3, test 3.
- mosi_aligned.pkl (protocol 4, as DataPre): float32 arrays all of length 5 (aligned, no
  lengths keys), text without text_bert (its length: the last non-zero row), ids and raw text
  as Python lists, labels on [-3, 3] including exactly 0 and a half (2.5).
The expected values the tests check are written down beside each array below.
"""
import os
import pickle

import numpy as np

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "DatasetsTests", "Fixtures", "mmsa")
os.makedirs(OUT, exist_ok=True)


def padded(lengths, steps, dim, offset, dtype):
    """Clip i's frame t, feature d: offset + 100*i + 10*t + d (exact in float32), zero past its length."""
    a = np.zeros((len(lengths), steps, dim), dtype=dtype)
    for i, n in enumerate(lengths):
        for t in range(n):
            for d in range(dim):
                a[i, t, d] = offset + 100 * i + 10 * t + d
    return a


def sims_split(name, n, first):
    text_lengths = [(i % 4) + 3 for i in range(n)]            # 3..6 tokens
    audio_lengths = [(i % 5) + 5 for i in range(n)]           # 5..9 frames
    vision_lengths = [(i % 3) + 3 for i in range(n)]          # 3..5 frames
    text = padded(text_lengths, 6, 4, 1, np.float64)
    bert = np.zeros((n, 3, 6), dtype=np.float64)
    for i, l in enumerate(text_lengths):
        bert[i, 0, :l] = np.arange(101, 101 + l)
        bert[i, 1, :l] = 1
    audio = padded(audio_lengths, 9, 3, 0.5, np.float64)
    if name == "train":
        audio[0, 1, 2] = -np.inf                              # MMSA: audio[audio == -inf] = 0
    vision = padded(vision_lengths, 5, 2, 0.25, np.float64)
    labels = np.array([[-1.0, -0.6, -0.2, 0.0, 0.2, 0.8][(first + i) % 6] for i in range(n)])
    ids = np.array([f"video_{(first + i) // 2}$_${(first + i) % 2}" for i in range(n)])
    return {
        "raw_text": np.array([f"clip {first + i}" for i in range(n)]),
        "text": text, "text_bert": bert, "audio": audio, "vision": vision,
        "audio_lengths": np.array(audio_lengths, dtype=np.int64),
        "vision_lengths": np.array(vision_lengths, dtype=np.int64),
        "id": ids,
        "regression_labels": labels,
        "regression_labels_T": -labels, "regression_labels_A": labels, "regression_labels_V": labels * 0,
    }


sims = {"train": sims_split("train", 6, 0), "valid": sims_split("valid", 3, 6),
        "test": sims_split("test", 3, 9)}
with open(os.path.join(OUT, "sims_unaligned.pkl"), "wb") as f:
    pickle.dump(sims, f, protocol=5)


def mosi_split(n, first):
    lengths = [(i % 3) + 3 for i in range(n)]                 # 3..5 tokens, all modalities
    labels = [[-3.0, -1.4, 0.0, 0.6, 2.5, 3.0][(first + i) % 6] for i in range(n)]
    return {
        "raw_text": [f"clip {first + i}" for i in range(n)],
        "text": padded(lengths, 5, 4, 1, np.float32),
        "audio": padded(lengths, 5, 3, 0.5, np.float32),
        "vision": padded(lengths, 5, 2, 0.25, np.float32),
        "id": [f"v{(first + i) // 3}$_${(first + i) % 3}" for i in range(n)],
        "regression_labels": np.array(labels, dtype=np.float32),
    }


mosi = {"train": mosi_split(6, 0), "valid": mosi_split(3, 6), "test": mosi_split(3, 9)}
with open(os.path.join(OUT, "mosi_aligned.pkl"), "wb") as f:
    pickle.dump(mosi, f, protocol=4)
print("wrote", OUT)
