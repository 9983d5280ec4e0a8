"""Independent numpy reference for the report's statistics (IndoMER baselines suite).

What it writes, beside this file:

* ``runs.jsonl`` -- a small hand-made run log in the suite's ``RunRecord`` format (one JSON
  object per line, keys sorted): sentiment task (negative 0, neutral 1, positive 2), 48
  validation clips from 9 source videos of uneven sizes (2..9 clips), neutral the majority
  and positive rare (6 clips, in 3 videos, so resamples sometimes lack it). Rows: the
  ``majority`` reference (always neutral) and the trained ``lf-dnn``, ``tfn``, ``mfn``,
  ``mult`` on modalities TAV, and ``lf-dnn``, ``tfn`` on T; seeds 1, 2, 3 each. Trained
  predictions are made with ``numpy.random.default_rng(7)`` (keep the true class with a
  per-model probability, else a uniformly random class); ``mult``'s TAV predictions are a
  copy of ``tfn``'s, seed by seed (a planted exact tie). Curves and bookkeeping fields come
  from a second generator, ``default_rng(8)``, so they never shift the predictions.
  Every record also carries ``sentimentLabels`` (the same dict in each): per clip
  ``{"overall", "text", "audio", "video"}``, ``overall`` = the clip's truth, the modality
  labels from a third generator, ``default_rng(9)``: through the sorted clips and, per clip,
  text, audio, video, ``random() < 0.45`` keeps the overall label, else ``integers(0, 2)``
  picks one of the two other classes (ascending). A draw of all 48 clips is discarded and
  redrawn from the same generator unless each agreement group has >= 3 clips and >= 2 videos
  and some group lacks a video (the third draw is the first that qualifies). A clip's
  agreement group is set by the modalities whose label differs from the overall one: none
  ``all-agree``, exactly one ``only-text-disagrees`` / ``only-audio-disagrees`` /
  ``only-video-disagrees``, two or three ``two-or-more-disagree``.
* ``expected.json`` -- every number the Swift report must reproduce, per table
  (``sentiment/TAV``, ``sentiment/T``) and row: the mean and sample std over seeds of
  accuracy, balanced accuracy, macro-F1, weighted F1 and the per-class F1s; 95% percentile
  intervals from a cluster bootstrap (over source videos) and a clip bootstrap; the paired
  bootstrap p-value against the best trained row and its Holm adjustment; bold cells; and the
  first resamples, so a mismatch can be traced to the generator or to the statistics.
  Two further keys (the cross-modal conflict analysis):
  ``groups`` -- ``{"sentiment/TAV": {group: {"clips", "videos", "rows": {model: {"mean",
  "std", "cluster_ci"}}}}}`` for each agreement group with clips and every TAV row (majority
  included), accuracy and macro-F1 only, computed as for the whole split but on the group's
  clips alone: the sorted clip ids in the group, its videos = the sorted source videos with a
  clip in the group (V of them), a fresh generator (seed 2024) per group, 2000 resamples of V
  ``below(V)`` draws into that video list, a run's resampled confusion = the drawn videos'
  confusions over the group's clips; mean and std over seeds of the metric on those clips.
  ``modality_agreement`` -- for the T rows (``lf-dnn``, ``tfn``): ``{model: {"own": [mean,
  std], "overall": [mean, std]}}``, per run the share of the 48 clips whose prediction equals
  the clip's text label (own) or its overall label (overall, = the accuracy); mean and sample
  std over the seeds, summed in seed order.

Definitions (scikit-learn's, ``labels=range(3)``, ``zero_division=0``) are computed from the
confusion matrix C (``C[true][predicted]``) in the same operation order as the Swift code
(``ClassificationMetrics``): precision = tp / column sum, recall = tp / row sum, f1 =
``2 * p * r / (p + r)``, sums taken left to right from 0 over the classes, macro-F1 over all 3
classes, balanced accuracy over the classes with support > 0 only. Means over seeds are summed
left to right in seed order and divided by the count (``Statistics.mean``), not ``np.mean``.

Bootstrap (to be matched bit for bit): xoshiro256** seeded by SplitMix64 (seed 2024, a fresh
generator per table), Lemire's ``below(n)``; B = 2000 resamples. Cluster: per resample draw
V video indices into the sorted videos, sum the drawn videos' confusions (with multiplicity).
Clip: per resample draw 48 indices into the sorted clip ids. A row's statistic on a resample
is the mean over its runs of the metric on the resampled confusion. Intervals are
``np.percentile(values, [2.5, 97.5])`` (linear): with sorted values v, n = 2000, q = 0.025 or
0.975, i = (n - 1) * q, lo = floor(i), g = i - lo, a = v[lo], b = v[lo + 1], d = b - a; the
value is ``b - d * (1 - g)`` when g >= 0.5, else ``a + d * g`` (numpy's ``_lerp``).

Rerun: ``python3 make_report_reference.py`` from any directory (numpy only); it overwrites the
two files beside itself and prints a summary. The output is deterministic.
"""

import json
import math
import pathlib

import numpy as np

HERE = pathlib.Path(__file__).resolve().parent

CLASSES = ("negative", "neutral", "positive")
K = len(CLASSES)
SEEDS = (1, 2, 3)
BOOT_SEED = 2024
B = 2000
ORDER = ("majority", "lf-dnn", "tfn", "mfn", "mult")  # table row order
TRAINED = ("lf-dnn", "tfn", "mfn", "mult")  # also the tie-break order for "best"
METRICS = ("accuracy", "balanced_accuracy", "macro_f1", "weighted_f1",
           "f1_negative", "f1_neutral", "f1_positive")
MASK = (1 << 64) - 1

# Truth per source video, one letter a clip: n negative, u neutral, p positive.
# Sizes 5, 9, 3, 7, 2, 6, 4, 7, 5 (48 clips); 13 negative, 29 neutral, 6 positive
# (positive only in videos 3, 6 and 8).
VIDEO_TRUTH = {1: "unnuu", 2: "uuuunnuuu", 3: "ppu", 4: "nnuuunn", 5: "uu",
               6: "upunuu", 7: "nuun", 8: "uppupuu", 9: "unnuu"}
LETTER = {"n": 0, "u": 1, "p": 2}

# (subset, model) -> probability of keeping the true class; mult TAV copies tfn TAV.
# Chosen so that TAV has one small p (Holm changes it) and three distinct Holm values.
KEEP = {("TAV", "lf-dnn"): 0.40, ("TAV", "tfn"): 0.70, ("TAV", "mfn"): 0.55,
        ("T", "lf-dnn"): 0.35, ("T", "tfn"): 0.45}
SUBSETS = {"TAV": ("majority", "lf-dnn", "tfn", "mfn", "mult"), "T": ("lf-dnn", "tfn")}
HYPER = {"lf-dnn": {"audioPool": 1, "hidden": 128}, "tfn": {"audioPool": 1, "hidden": 32},
         "mfn": {"audioPool": 1, "memory": 64}, "mult": {"audioPool": 1, "heads": 4}}
PARAMETERS = {("TAV", "lf-dnn"): 61443, ("TAV", "tfn"): 1183747, ("TAV", "mfn"): 412355,
              ("TAV", "mult"): 905219, ("T", "lf-dnn"): 20611, ("T", "tfn"): 58179}
WALL = {"lf-dnn": 95.0, "tfn": 310.0, "mfn": 540.0, "mult": 880.0}
TRAINING = json.dumps(
    {"accumulation": 1, "batchSize": 32, "classWeights": False, "clipNorm": 0,
     "clipValue": 0, "earlyStopThreshold": 1e-06, "epochs": 10, "innerFold": 0.15,
     "learningRate": 0.001, "patience": 8, "plateauFactor": 0.1, "plateauPatience": 0,
     "selection": "macroF1", "weightDecay": 0},
    sort_keys=True, separators=(",", ":"))
BLAS = {"core": "Zen", "coreSource": "detected by OpenBLAS", "openblas": "0.3.21", "threads": 2}
TRAIN_CLIPS, INNER_FOLD_CLIPS = 200, 35

# Per-modality sentiment labels (the cross-modal conflict analysis): their own generator.
LABEL_SEED = 9
MODALITIES = ("text", "audio", "video")  # the Swift ``Modality`` order
AGREE_P = 0.45  # probability that a modality's label equals the overall one
GROUPS = ("all-agree", "only-text-disagrees", "only-audio-disagrees", "only-video-disagrees",
          "two-or-more-disagree")  # the Swift ``AgreementGroup`` order
GROUP_METRICS = ("accuracy", "macro_f1")
MIN_GROUP_CLIPS, MIN_GROUP_VIDEOS = 3, 2


# ---------------------------------------------------------------- generator (bit for bit)

class Xoshiro:
    """xoshiro256** seeded by SplitMix64, with Lemire's unbiased ``below``."""

    def __init__(self, seed):
        x = seed & MASK
        state = []
        for _ in range(4):
            x = (x + 0x9E3779B97F4A7C15) & MASK
            z = x
            z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
            z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
            state.append(z ^ (z >> 31))
        self.s = state

    @staticmethod
    def rotl(x, k):
        return ((x << k) | (x >> (64 - k))) & MASK

    def next(self):
        s0, s1, s2, s3 = self.s
        result = (self.rotl((s1 * 5) & MASK, 7) * 9) & MASK
        t = (s1 << 17) & MASK
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = self.rotl(s3, 45)
        self.s = [s0, s1, s2, s3]
        return result

    def below(self, n):
        m = self.next() * n
        low = m & MASK
        if low < n:
            t = ((1 << 64) - n) % n
            while low < t:
                m = self.next() * n
                low = m & MASK
        return m >> 64


def check_generator():
    """The published vectors: SplitMix64(1234567) and xoshiro256** from state {1,2,3,4}."""
    x, out = 1234567, []
    for _ in range(2):
        x = (x + 0x9E3779B97F4A7C15) & MASK
        z = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        out.append(z ^ (z >> 31))
    assert out == [6457827717110365317, 3203168211198807973], out
    g = Xoshiro(0)
    assert g.s[0] == 0xE220A8397B1DCDAF  # SplitMix64's first output from 0
    g.s = [1, 2, 3, 4]
    got = [g.next() for _ in range(4)]
    assert got == [11520, 0, 1509978240, 1215971899390074240], got


def resamples(units, seed=BOOT_SEED, count=B):
    """``count`` resamples of ``units`` indices from a fresh generator, as an int array."""
    g = Xoshiro(seed)
    return np.array([[g.below(units) for _ in range(units)] for _ in range(count)],
                    dtype=np.int64)


# ---------------------------------------------------------------- metrics

def seq_sum(x):
    """Sum over the last axis, left to right from 0 (Swift's ``reduce(0, +)``)."""
    x = np.asarray(x, dtype=np.float64)
    total = np.zeros(x.shape[:-1])
    for k in range(x.shape[-1]):
        total = total + x[..., k]
    return total


def metrics_from_confusion(conf):
    """All report metrics of confusion matrices ``conf[..., true, predicted]``, vectorised."""
    conf = np.asarray(conf, dtype=np.int64)
    n = conf.sum(axis=(-2, -1))
    tp = np.diagonal(conf, axis1=-2, axis2=-1)
    predicted = conf.sum(axis=-2)
    support = conf.sum(axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        precision = np.where(predicted == 0, 0.0, tp / predicted)
        recall = np.where(support == 0, 0.0, tp / support)
        denom = precision + recall
        f1 = np.where(denom == 0, 0.0, 2 * precision * recall / denom)
    out = {
        "accuracy": tp.sum(axis=-1) / n,
        # recall of an absent class is 0, so adding it leaves the sum bit-identical
        "balanced_accuracy": seq_sum(recall) / (support > 0).sum(axis=-1),
        "macro_f1": seq_sum(f1) / K,
        "weighted_f1": seq_sum(f1 * support) / n,
    }
    for c, name in enumerate(CLASSES):
        out["f1_" + name] = f1[..., c]
    out["_precision"], out["_recall"], out["_f1"], out["_support"] = \
        precision, recall, f1, support
    return out


def confusion(truth, pred):
    c = np.zeros((K, K), dtype=np.int64)
    for t, p in zip(truth, pred):
        c[t, p] += 1
    return c


def direct_metrics(truth, pred):
    """Second route: from the label lists, F1 as 2tp / (2tp + fp + fn), no confusion matrix."""
    n = len(truth)
    f1s, recalls, supports = [], [], []
    for c in range(K):
        tp = sum(1 for t, p in zip(truth, pred) if t == c and p == c)
        fp = sum(1 for t, p in zip(truth, pred) if t != c and p == c)
        fn = sum(1 for t, p in zip(truth, pred) if t == c and p != c)
        f1s.append(0.0 if 2 * tp + fp + fn == 0 else 2 * tp / (2 * tp + fp + fn))
        supports.append(tp + fn)
        if tp + fn:
            recalls.append(tp / (tp + fn))
    return {"accuracy": sum(t == p for t, p in zip(truth, pred)) / n,
            "balanced_accuracy": sum(recalls) / len(recalls),
            "macro_f1": sum(f1s) / K,
            "weighted_f1": sum(f * s for f, s in zip(f1s, supports)) / n,
            **{"f1_" + name: f1s[c] for c, name in enumerate(CLASSES)}}


def seq_mean(values):
    total = 0.0
    for v in values:
        total += v
    return total / len(values)


def seq_std(values):
    """Sample std (n - 1) as ``Statistics.sampleStd``; 0 for one value."""
    if len(values) < 2:
        return 0.0
    m = seq_mean(values)
    total = 0.0
    for v in values:
        total += (v - m) * (v - m)
    return math.sqrt(total / (len(values) - 1))


def percentile_linear(values, q):
    """numpy's linear percentile written out (the recipe the Swift side follows)."""
    v = np.sort(np.asarray(values, dtype=np.float64))
    i = (len(v) - 1) * (q / 100)
    lo = math.floor(i)
    if lo >= len(v) - 1:
        return float(v[-1])
    g = i - lo
    a, b = float(v[lo]), float(v[lo + 1])
    d = b - a
    return b - d * (1 - g) if g >= 0.5 else a + d * g


def interval(values):
    lo, hi = np.percentile(values, [2.5, 97.5])
    assert (lo, hi) == (percentile_linear(values, 2.5), percentile_linear(values, 97.5))
    return [float(lo), float(hi)]


def score(x):
    """A mean rounded to 3 decimals, as an integer (for bold)."""
    return math.floor(x * 1000 + 0.5)


# ---------------------------------------------------------------- the run log

def make_clips():
    clips, truth, video_of = [], {}, {}
    for v, letters in VIDEO_TRUTH.items():
        for j, letter in enumerate(letters, start=1):
            clip = f"clip_{v}_Talk_{j}"
            clips.append(clip)
            truth[clip] = LETTER[letter]
            video_of[clip] = f"clip_{v}_Talk"
    return sorted(clips), truth, video_of


def make_predictions(clips, truth):
    rng = np.random.default_rng(7)
    t = np.array([truth[c] for c in clips])
    preds = {}
    for (subset, model), keep in KEEP.items():
        for seed in SEEDS:
            kept = rng.random(len(clips)) < keep
            random_class = rng.integers(0, K, len(clips))
            preds[subset, model, seed] = np.where(kept, t, random_class)
    for seed in SEEDS:
        preds["TAV", "mult", seed] = preds["TAV", "tfn", seed].copy()  # the planted tie
        preds["TAV", "majority", seed] = np.ones(len(clips), dtype=np.int64)
    return preds


def agreement_group(labels):
    """The agreement group of one clip's ``{"overall", "text", "audio", "video"}`` labels."""
    differ = [m for m in MODALITIES if labels[m] != labels["overall"]]
    if not differ:
        return "all-agree"
    return f"only-{differ[0]}-disagrees" if len(differ) == 1 else "two-or-more-disagree"


def make_sentiment_labels(clips, truth, video_of):
    """Per clip: the overall label (= truth) and each modality's own label.

    From ``default_rng(LABEL_SEED)`` alone, so no other value shifts. A draw goes through the
    sorted clips and, per clip, the modalities text, audio, video: ``random() < AGREE_P`` keeps
    the overall label, else ``integers(0, 2)`` picks one of the two other classes (ascending).
    A draw where some group has fewer than MIN_GROUP_CLIPS clips or MIN_GROUP_VIDEOS videos, or
    where no group misses a video, is discarded and the same generator draws again.
    """
    rng = np.random.default_rng(LABEL_SEED)
    all_videos = set(video_of.values())
    for attempt in range(1, 101):
        labels = {}
        for c in clips:
            overall = truth[c]
            labels[c] = {"overall": overall}
            for m in MODALITIES:
                if rng.random() < AGREE_P:
                    labels[c][m] = overall
                else:
                    labels[c][m] = [k for k in range(K) if k != overall][int(rng.integers(0, 2))]
        members = {g: [c for c in clips if agreement_group(labels[c]) == g] for g in GROUPS}
        videos = {g: {video_of[c] for c in members[g]} for g in GROUPS}
        if (all(len(members[g]) >= MIN_GROUP_CLIPS for g in GROUPS)
                and all(len(videos[g]) >= MIN_GROUP_VIDEOS for g in GROUPS)
                and any(videos[g] != all_videos for g in GROUPS)):
            return labels, attempt
    raise AssertionError("no qualifying draw of the modality labels")


def make_curve(meta):
    epochs = int(meta.integers(4, 11))  # 4..10: the training config allows 10 epochs
    best = int(meta.integers(1, epochs + 1))
    top = float(meta.uniform(0.35, 0.6))
    curve = []
    for e in range(1, epochs + 1):
        train_loss = 1.1 * math.exp(-0.12 * e) + float(meta.normal(0, 0.01))
        fold_f1 = top - 0.03 * abs(e - best) - (0 if e == best else float(meta.uniform(0, .02)))
        fold_loss = 0.95 + 0.02 * abs(e - best) + (0 if e == best else float(meta.uniform(0, .02)))
        curve.append({"epoch": e, "trainLoss": round(train_loss, 6),
                      "foldMacroF1": round(max(fold_f1, 0.2), 6),
                      "foldLoss": round(fold_loss, 6), "learningRate": 0.001})
    return curve, best


def metrics_record(conf):
    m = metrics_from_confusion(conf)
    per_class = [{"precision": float(m["_precision"][c]), "recall": float(m["_recall"][c]),
                  "f1": float(m["_f1"][c]), "support": int(m["_support"][c])}
                 for c in range(K)]
    return {"accuracy": float(m["accuracy"]), "macroF1": float(m["macro_f1"]),
            "weightedF1": float(m["weighted_f1"]), "perClass": per_class,
            "confusion": conf.tolist()}


def make_runs():
    clips, truth, video_of = make_clips()
    preds = make_predictions(clips, truth)
    labels, _ = make_sentiment_labels(clips, truth, video_of)
    meta = np.random.default_rng(8)
    runs = []
    for subset, models in SUBSETS.items():
        for model in models:
            for seed in SEEDS:
                pred = [int(p) for p in preds[subset, model, seed]]
                reference = model == "majority"
                if reference:
                    curve, best = [], 0
                    wall = round(float(meta.uniform(0.0003, 0.0009)), 7)
                    rss = int(meta.integers(140, 160)) * 2**20
                else:
                    curve, best = make_curve(meta)
                    wall = round(WALL[model] * float(meta.uniform(0.85, 1.15))
                                 * (0.6 if subset == "T" else 1.0), 3)
                    rss = int(meta.integers(300, 900)) * 2**20 + int(meta.integers(0, 2**20))
                hyper = {} if reference else dict(HYPER[model])
                if subset == "T":
                    hyper.pop("audioPool", None)
                conf = confusion([truth[c] for c in clips], pred)
                runs.append({
                    "runID": f"ref-{model}-{subset}-{seed}", "model": model,
                    "task": "sentiment", "modalities": subset, "seed": seed,
                    "hyperparameters": json.dumps(hyper, sort_keys=True, separators=(",", ":")),
                    "training": TRAINING, "configHash": f"hash-{model}-{subset}",
                    "dataFingerprint": "f1a2b3c4d5e6f7a8", "synthetic": True,
                    "dataSource": "hand-made reference runs",
                    "metrics": metrics_record(conf),
                    "predictions": dict(zip(clips, pred)),
                    "truth": {c: truth[c] for c in clips},
                    "sourceVideos": {c: video_of[c] for c in clips},
                    "sentimentLabels": {c: dict(labels[c]) for c in clips},
                    "curve": curve, "epochs": len(curve), "bestEpoch": best,
                    "innerFoldClips": 0 if reference else INNER_FOLD_CLIPS,
                    "trainClips": TRAIN_CLIPS + INNER_FOLD_CLIPS if reference else TRAIN_CLIPS,
                    "parameters": 0 if reference else PARAMETERS[subset, model],
                    "wallSeconds": wall, "peakResidentBytes": rss, "blas": dict(BLAS),
                    "gitCommit": "000000000000", "codeVersion": "000000000000",
                    "grid": "reference", "finishedAt": "2026-12-02T00:00:00Z",
                })
    return runs


# ---------------------------------------------------------------- the report's numbers

def table_numbers(runs, cluster_idx, clip_idx):
    """Everything expected for one table (one task + subset) from its runs."""
    clips = sorted(runs[0]["predictions"])
    videos = sorted({r["sourceVideos"][c] for r in runs for c in clips})
    rows = [m for m in ORDER if any(r["model"] == m for r in runs)]
    vpos = {v: i for i, v in enumerate(videos)}
    # resample weights: how often each unit is drawn, per resample
    cluster_w = np.stack([np.bincount(ix, minlength=len(videos)) for ix in cluster_idx])
    clip_w = np.stack([np.bincount(ix, minlength=len(clips)) for ix in clip_idx])
    identity_v, identity_c = np.ones((1, len(videos)), np.int64), np.ones((1, len(clips)), np.int64)

    out, stats = {}, {}
    for model in rows:
        mruns = sorted((r for r in runs if r["model"] == model), key=lambda r: r["seed"])
        per_run = {m: [] for m in METRICS}
        boot = {"cluster": [], "clip": [], "id_cluster": [], "id_clip": []}
        for r in mruns:
            t = [r["truth"][c] for c in clips]
            p = [r["predictions"][c] for c in clips]
            # unit confusions: per clip (one-hot) and per video (summed clips)
            clip_conf = np.zeros((len(clips), K, K), np.int64)
            clip_conf[np.arange(len(clips)), t, p] = 1
            video_conf = np.zeros((len(videos), K, K), np.int64)
            for i, c in enumerate(clips):
                video_conf[vpos[r["sourceVideos"][c]]] += clip_conf[i]
            full = confusion(t, p)
            assert (video_conf.sum(axis=0) == full).all()
            assert full.tolist() == r["metrics"]["confusion"]
            observed = metrics_from_confusion(full)
            direct = direct_metrics(t, p)
            for m in METRICS:
                per_run[m].append(float(observed[m]))
                assert abs(direct[m] - float(observed[m])) < 1e-12, (model, m)
            for key, w, unit in (("cluster", cluster_w, video_conf), ("clip", clip_w, clip_conf),
                                 ("id_cluster", identity_v, video_conf),
                                 ("id_clip", identity_c, clip_conf)):
                boot[key].append(metrics_from_confusion(np.einsum("bu,uij->bij", w, unit)))
        mean = {m: seq_mean(per_run[m]) for m in METRICS}
        # resample statistic = mean over the runs, summed in seed order
        stat = {key: {m: sum(x[m] for x in boot[key]) / len(mruns) for m in METRICS}
                for key in boot}
        for m in METRICS:  # identity resample reproduces the observed means exactly
            assert stat["id_cluster"][m][0] == mean[m] == stat["id_clip"][m][0], (model, m)
        stats[model] = stat
        out[model] = {
            "runs": len(mruns),
            "mean": mean,
            "std": {m: seq_std(per_run[m]) for m in METRICS},
            "cluster_ci": {m: interval(stat["cluster"][m]) for m in METRICS},
            "clip_ci": {m: interval(stat["clip"][m]) for m in METRICS},
            "p": None, "p_holm": None,
        }

    trained = [m for m in TRAINED if m in out]
    best = trained[0]
    for m in trained[1:]:
        if out[m]["mean"]["macro_f1"] > out[best]["mean"]["macro_f1"]:
            best = m
    others = [m for m in trained if m != best]
    near_zero = 0
    for m in others:
        d = stats[best]["cluster"]["macro_f1"] - stats[m]["cluster"]["macro_f1"]
        near_zero += int(((d != 0) & (np.abs(d) < 1e-9)).sum())
        low, high = int((d <= 0).sum()) + 1, int((d >= 0).sum()) + 1
        out[m]["p"] = min(1.0, 2 * min(low, high) / (B + 1))
    order = sorted(others, key=lambda m: out[m]["p"])
    running = 0.0
    for j, m in enumerate(order, start=1):
        running = max(running, min(1.0, (len(order) - j + 1) * out[m]["p"]))
        out[m]["p_holm"] = running

    bold = {}
    for metric in METRICS:
        top = max(score(out[m]["mean"][metric]) for m in trained)
        bold[metric] = [m for m in trained if score(out[m]["mean"][metric]) == top]
    table = {"best": best, "rows": out, "bold": bold, "videos": len(videos), "clips": len(clips)}
    return table, videos, clips, near_zero


def group_numbers(runs, group):
    """One agreement group's rows (mean, std, cluster interval of accuracy and macro-F1).

    As ``table_numbers`` but on the group's clips only: its videos are those with a clip in the
    group, the resamples come from a fresh generator (seed BOOT_SEED) over that video list, and a
    run's resampled confusion sums the drawn videos' confusions over the group's clips.
    """
    labels = runs[0]["sentimentLabels"]
    assert all(r["sentimentLabels"] == labels for r in runs)
    clips = sorted(c for c in runs[0]["predictions"] if agreement_group(labels[c]) == group)
    if not clips:
        return None
    videos = sorted({runs[0]["sourceVideos"][c] for c in clips})
    vpos = {v: i for i, v in enumerate(videos)}
    idx = resamples(len(videos))
    w = np.stack([np.bincount(ix, minlength=len(videos)) for ix in idx])
    identity = np.ones((1, len(videos)), np.int64)
    rows = {}
    for model in [m for m in ORDER if any(r["model"] == m for r in runs)]:
        mruns = sorted((r for r in runs if r["model"] == model), key=lambda r: r["seed"])
        per_run = {m: [] for m in GROUP_METRICS}
        boot, ident = [], []
        for r in mruns:
            assert r["sourceVideos"] == runs[0]["sourceVideos"]
            t = [r["truth"][c] for c in clips]
            p = [r["predictions"][c] for c in clips]
            assert all(labels[c]["overall"] == r["truth"][c] for c in clips)
            video_conf = np.zeros((len(videos), K, K), np.int64)
            for c, ti, pi in zip(clips, t, p):
                video_conf[vpos[r["sourceVideos"][c]], ti, pi] += 1
            full = confusion(t, p)
            assert (video_conf.sum(axis=0) == full).all()
            observed = metrics_from_confusion(full)
            direct = direct_metrics(t, p)
            for m in GROUP_METRICS:
                per_run[m].append(float(observed[m]))
                assert abs(direct[m] - float(observed[m])) < 1e-12, (group, model, m)
            resampled = np.einsum("bu,uij->bij", w, video_conf)
            # second route: index the drawn videos directly (with multiplicity)
            assert (resampled == video_conf[idx].sum(axis=1)).all()
            boot.append(metrics_from_confusion(resampled))
            ident.append(metrics_from_confusion(np.einsum("bu,uij->bij", identity, video_conf)))
        mean = {m: seq_mean(per_run[m]) for m in GROUP_METRICS}
        stat = {m: sum(x[m] for x in boot) / len(mruns) for m in GROUP_METRICS}
        for m in GROUP_METRICS:  # the identity resample reproduces the observed mean exactly
            assert (sum(x[m] for x in ident) / len(mruns))[0] == mean[m], (group, model, m)
        rows[model] = {"mean": mean,
                       "std": {m: seq_std(per_run[m]) for m in GROUP_METRICS},
                       "cluster_ci": {m: interval(stat[m]) for m in GROUP_METRICS}}
    return {"clips": len(clips), "videos": len(videos), "rows": rows}


def modality_agreement(runs, modality="text"):
    """Per model (seed order): share of clips predicted as the modality's own label / overall."""
    out = {}
    for model in [m for m in ORDER if any(r["model"] == m for r in runs)]:
        mruns = sorted((r for r in runs if r["model"] == model), key=lambda r: r["seed"])
        own, overall = [], []
        for r in mruns:
            labels, pred = r["sentimentLabels"], r["predictions"]
            own.append(sum(pred[c] == labels[c][modality] for c in pred) / len(pred))
            overall.append(sum(pred[c] == labels[c]["overall"] for c in pred) / len(pred))
            assert overall[-1] == r["metrics"]["accuracy"]
        out[model] = {"own": [seq_mean(own), seq_std(own)],
                      "overall": [seq_mean(overall), seq_std(overall)]}
    return out


def main():
    check_generator()
    runs = make_runs()
    with open(HERE / "runs.jsonl", "w") as f:
        for r in runs:
            f.write(json.dumps(r, sort_keys=True, separators=(",", ":")) + "\n")

    all_clips = sorted(runs[0]["predictions"])
    all_videos = sorted(set(runs[0]["sourceVideos"].values()))
    expected = {"seed": BOOT_SEED, "resamples": B, "videos": all_videos, "tables": {}}
    for subset in SUBSETS:
        table_runs = [r for r in runs if r["task"] == "sentiment" and r["modalities"] == subset]
        # a fresh generator per table and per bootstrap kind
        videos = sorted({r["sourceVideos"][c] for r in table_runs for c in r["predictions"]})
        cluster_idx = resamples(len(videos))
        clip_idx = resamples(len(all_clips))
        table, videos, clips, near_zero = table_numbers(table_runs, cluster_idx, clip_idx)
        assert near_zero == 0, "a paired difference within 1e-9 of 0 but not 0: fragile p"
        expected["tables"][f"sentiment/{subset}"] = table
        expected.setdefault("first_cluster_resamples", cluster_idx[:3].tolist())
        expected.setdefault("first_clip_resamples", clip_idx[:2].tolist())
    tav_runs = [r for r in runs if r["task"] == "sentiment" and r["modalities"] == "TAV"]
    groups = {g: group_numbers(tav_runs, g) for g in GROUPS}
    expected["groups"] = {"sentiment/TAV": {g: v for g, v in groups.items() if v is not None}}
    assert sum(v["clips"] for v in expected["groups"]["sentiment/TAV"].values()) == len(all_clips)
    t_runs = [r for r in runs if r["task"] == "sentiment" and r["modalities"] == "T"]
    expected["modality_agreement"] = modality_agreement(t_runs, "text")
    with open(HERE / "expected.json", "w") as f:
        json.dump(expected, f, indent=1, sort_keys=True)
        f.write("\n")

    print(f"wrote {HERE / 'runs.jsonl'} ({len(runs)} runs) and {HERE / 'expected.json'}")
    print(f"{len(all_clips)} clips, {len(all_videos)} videos; seed {BOOT_SEED}, B = {B}")
    for name, table in expected["tables"].items():
        print(f"\n{name}  (best: {table['best']})")
        print(f"{'model':9} {'acc':>6} {'bacc':>6} {'macF1':>6} {'wF1':>6} {'F1pos':>6}"
              f"  {'cluster CI macF1':>17}  {'clip CI macF1':>15}  {'p':>7} {'p_holm':>7}")
        for model, row in table["rows"].items():
            m, cl, cp = row["mean"], row["cluster_ci"]["macro_f1"], row["clip_ci"]["macro_f1"]
            p = "-" if row["p"] is None else f"{row['p']:.4f}"
            ph = "-" if row["p_holm"] is None else f"{row['p_holm']:.4f}"
            print(f"{model:9} {m['accuracy']:6.3f} {m['balanced_accuracy']:6.3f} "
                  f"{m['macro_f1']:6.3f} {m['weighted_f1']:6.3f} {m['f1_positive']:6.3f}"
                  f"  [{cl[0]:.3f}, {cl[1]:.3f}]  [{cp[0]:.3f}, {cp[1]:.3f}]  {p:>7} {ph:>7}")
        print("bold: " + "; ".join(f"{k}={','.join(v)}" for k, v in table["bold"].items()))

    _, attempt = make_sentiment_labels(*make_clips())
    print(f"\nagreement groups, sentiment/TAV (label draw {attempt} of default_rng({LABEL_SEED}))")
    shown = None
    for g in GROUPS:
        entry = expected["groups"]["sentiment/TAV"].get(g)
        if entry is None:
            print(f"  {g:22} no clips")
            continue
        print(f"  {g:22} {entry['clips']:2} clips, {entry['videos']} videos")
        if shown is None and entry["videos"] < len(all_videos):
            shown = g
    print(f"\n{shown} (cluster 95% interval over its own videos)")
    for model, row in expected["groups"]["sentiment/TAV"][shown]["rows"].items():
        m, s, ci = row["mean"], row["std"], row["cluster_ci"]
        print(f"  {model:9} acc {m['accuracy']:.3f} ± {s['accuracy']:.3f} "
              f"[{ci['accuracy'][0]:.3f}, {ci['accuracy'][1]:.3f}]   macF1 {m['macro_f1']:.3f} "
              f"± {s['macro_f1']:.3f} [{ci['macro_f1'][0]:.3f}, {ci['macro_f1'][1]:.3f}]")
    print("\nmodality agreement, sentiment/T (text label): mean ± std over seeds")
    for model, v in expected["modality_agreement"].items():
        print(f"  {model:9} own {v['own'][0]:.4f} ± {v['own'][1]:.4f}   "
              f"overall {v['overall'][0]:.4f} ± {v['overall'][1]:.4f}")


if __name__ == "__main__":
    main()
