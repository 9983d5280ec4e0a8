#!/usr/bin/env python3
"""Writes the pickle fixtures that Tests/DatasetsTests reads, with whatever NumPy runs it.

Run once with NumPy 2.x and once with NumPy 1.26 (pinned: numpy 2.4.6 and 1.26.4, Python 3.11):

    python3 -m venv .venv-np1 && .venv-np1/bin/pip install numpy==1.26.4
    .venv-np1/bin/python Tests/Fixtures/Reference/make_pickle_fixtures.py
    python3 Tests/Fixtures/Reference/make_pickle_fixtures.py      # system NumPy 2.x

Each good file `np{major}_p{protocol}.pkl` is a list of dicts in the release's layout,
{"video_name": name, "video_feature": array}, one per encoding. The name says the encoding
(`float32_le_C`, `float16_be_F`, ...); the array has shape (5, 3), value (10*i + j) / 8 for
rows i < 4 (exact in float16) and a final all-zero row (trailing padding, true length 4).
Hostile files: a pickle whose loading would run a command, a truncated one, an object array.
"""
import os
import pickle

import numpy as np

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "DatasetsTests", "Fixtures", "pickles")
major = int(np.__version__.split(".")[0])


def expected():
    a = np.zeros((5, 3))
    for i in range(4):
        for j in range(3):
            a[i, j] = (10 * i + j) / 8
    return a


def entries():
    out = []
    for dtype in ("float16", "float32", "float64"):
        for order_name, byteorder in (("le", "<"), ("be", ">")):
            for layout in ("C", "F"):
                arr = np.array(expected(), dtype=np.dtype(dtype).newbyteorder(byteorder), order=layout)
                out.append({"video_name": f"{dtype}_{order_name}_{layout}.mp4", "video_feature": arr})
    return out


class RunsACommand:
    def __reduce__(self):
        return (os.system, ("echo this-pickle-ran-a-command > /tmp/indomer-pickle-pwned",))


def main():
    os.makedirs(OUT, exist_ok=True)
    for protocol in (2, 3, 4, 5):
        with open(os.path.join(OUT, f"np{major}_p{protocol}.pkl"), "wb") as f:
            pickle.dump(entries(), f, protocol=protocol)
    if major >= 2:
        with open(os.path.join(OUT, "hostile_command.pkl"), "wb") as f:
            pickle.dump([{"video_name": "x.mp4", "video_feature": RunsACommand()}], f, protocol=4)
        good = pickle.dumps(entries(), protocol=4)
        with open(os.path.join(OUT, "hostile_truncated.pkl"), "wb") as f:
            f.write(good[: len(good) // 2])
        with open(os.path.join(OUT, "hostile_object_array.pkl"), "wb") as f:
            pickle.dump([{"video_name": "x.mp4", "video_feature": np.array([1, "a", None], dtype=object)}], f, protocol=4)
    print("numpy", np.__version__, "wrote", sorted(os.listdir(OUT)))


if __name__ == "__main__":
    main()
