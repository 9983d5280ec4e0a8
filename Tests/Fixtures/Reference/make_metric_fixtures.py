#!/usr/bin/env python3
"""Classification metrics computed by scikit-learn, for Tests/ExperimentsTests.

Pinned: scikit-learn 1.8 (any version with zero_division), Python 3.11. Run from the
repository root:  .venv-torch/bin/python Tests/Fixtures/Reference/make_metric_fixtures.py

Convention matched: labels=range(C) (every class counts in the macro average, present or
not) and zero_division=0. Cases include a class absent from both truth and predictions and
classes with a single clip.
"""
import json
import os
import random

import sklearn
from sklearn.metrics import accuracy_score, confusion_matrix, f1_score, precision_recall_fscore_support

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "ExperimentsTests", "Fixtures", "metrics.json")


def case(name, truth, predictions, classes):
    labels = list(range(classes))
    p, r, f, s = precision_recall_fscore_support(truth, predictions, labels=labels, zero_division=0)
    return {
        "name": name, "classes": classes, "truth": truth, "predictions": predictions,
        "accuracy": accuracy_score(truth, predictions),
        "macro_f1": f1_score(truth, predictions, labels=labels, average="macro", zero_division=0),
        "weighted_f1": f1_score(truth, predictions, labels=labels, average="weighted", zero_division=0),
        "precision": list(map(float, p)), "recall": list(map(float, r)), "f1": list(map(float, f)),
        "support": list(map(int, s)),
        "confusion": confusion_matrix(truth, predictions, labels=labels).tolist(),
    }


def main():
    rng = random.Random(7)
    cases = []
    # Long-tailed 7-class truth like IndoMER's validation split, random predictions.
    truth7 = [4] * 60 + [5] * 10 + [3] * 8 + [2] * 4 + [1] * 2 + [0] * 1 + [6] * 1
    cases.append(case("long-tail-7", truth7, [rng.choice([4, 4, 4, 5, 3, 2, 1, 0, 6]) for _ in truth7], 7))
    truth3 = [rng.choice([0, 1, 1, 1, 2]) for _ in range(90)]
    cases.append(case("random-3", truth3, [rng.choice([0, 1, 2]) for _ in truth3], 3))
    # Class 6 absent from both truth and predictions; class 0 has one clip, predicted right.
    cases.append(case("absent-and-one-clip", [0, 1, 1, 2, 3, 4, 4, 5], [0, 1, 2, 2, 3, 4, 5, 5], 7))
    # Majority class only.
    cases.append(case("majority", truth3, [1] * len(truth3), 3))
    with open(OUT, "w") as f:
        json.dump({"sklearn": sklearn.__version__, "cases": cases}, f, indent=1)
    print("wrote", OUT)


if __name__ == "__main__":
    main()
