#!/usr/bin/env python3
"""Label statistics of the IndoMER release, for Sources/Datasets/Synthetic/SyntheticIndoMER.swift.

Standard library only. Run from the repository root:

    python3 Tests/Fixtures/Reference/count_release_labels.py [RELEASE_DIR]

RELEASE_DIR is the release folder holding 3_Class/3_class_{train,val}.json and
7_Class/7_class_{train,val}.json; by default the folder the environment variable INDOMER_LABELS names.

Class indices (the suite's order):
  sentiment  negatif=0 netral=1 positif=2
  emotion    ketakutan=0 jijik=1 kemarahan=2 kesedihan=3 netral=4 kebahagiaan=5 surprise=6

Prints, per split:
  * the joint counts of (emotion, text_label, audio_label, video_label) as a Swift array literal
    of tuples (e, t, a, v, n), n > 0, sorted;
  * whether the overall sentiment is a function of the emotion (and which);
  * clips and distinct source videos per agreement group: all three modality labels equal the
    overall sentiment; exactly one disagrees (text, audio or video); two or more disagree.
    A clip's source video is its sample_id without the trailing _<number>;
  * per modality, the rate at which its label equals the overall label;
  * clips per source video (min, median, max, mean).
It also checks that the 3-class and 7-class files list the same clips with the same sentiment.
"""
import collections
import json
import os
import re
import statistics
import sys

SENTIMENTS = ["negatif", "netral", "positif"]
EMOTIONS = ["ketakutan", "jijik", "kemarahan", "kesedihan", "netral", "kebahagiaan", "surprise"]
SPLITS = ["train", "val"]
MODALITIES = ["text", "audio", "video"]


def source_video(sample_id):
    return re.sub(r"_\d+$", "", sample_id)


def load(release, split):
    with open(os.path.join(release, "3_Class", f"3_class_{split}.json"), encoding="utf-8") as f:
        three = json.load(f)
    with open(os.path.join(release, "7_Class", f"7_class_{split}.json"), encoding="utf-8") as f:
        seven = json.load(f)
    by_id = {r["sample_id"]: r for r in seven}
    assert len(by_id) == len(seven), f"{split}: duplicate sample_id in the 7-class file"
    assert {r["sample_id"] for r in three} == set(by_id), f"{split}: 3- and 7-class files list different clips"
    clips = []
    for r in three:
        s = SENTIMENTS.index(r["label"])
        e7 = by_id[r["sample_id"]]
        assert SENTIMENTS.index(e7["sentiment_label"]) == s, f"{r['sample_id']}: sentiment differs between files"
        clips.append({
            "id": r["sample_id"], "video": source_video(r["sample_id"]), "s": s,
            "e": EMOTIONS.index(e7["label"]),
            "text": SENTIMENTS.index(r["text_label"]), "audio": SENTIMENTS.index(r["audio_label"]),
            "video_label": SENTIMENTS.index(r["video_label"]),
        })
    return clips


def modality(c, m):
    return c["video_label"] if m == "video" else c[m]


def group(c):
    wrong = [m for m in MODALITIES if modality(c, m) != c["s"]]
    if not wrong:
        return "all agree"
    if len(wrong) == 1:
        return f"only {wrong[0]} disagrees"
    return "two or more disagree"


def report(split, clips):
    print(f"== {split}: {len(clips)} clips, {len({c['video'] for c in clips})} source videos")

    joint = collections.Counter((c["e"], c["text"], c["audio"], c["video_label"]) for c in clips)
    rows = [f"({e}, {t}, {a}, {v}, {n})" for (e, t, a, v), n in sorted(joint.items())]
    print(f"-- (emotion, text, audio, video, count): {len(rows)} non-empty cells, sum {sum(joint.values())}")
    print("[")
    for i in range(0, len(rows), 6):
        print("    " + ", ".join(rows[i:i + 6]) + ",")
    print("]")

    sentiment_of = collections.defaultdict(set)
    for c in clips:
        sentiment_of[c["e"]].add(c["s"])
    functional = all(len(v) == 1 for v in sentiment_of.values())
    mapping = ", ".join(f"{EMOTIONS[e]}({e})->{'/'.join(SENTIMENTS[s] for s in sorted(v))}"
                        for e, v in sorted(sentiment_of.items()))
    print(f"-- sentiment is a function of emotion: {functional}: {mapping}")

    print("-- agreement groups: clips, source videos")
    order = ["all agree", "only text disagrees", "only audio disagrees", "only video disagrees",
             "two or more disagree"]
    groups = collections.defaultdict(list)
    for c in clips:
        groups[group(c)].append(c)
    for g in order:
        members = groups.get(g, [])
        print(f"   {g:<22} {len(members):5d} clips  {len({c['video'] for c in members}):4d} videos")
    two = groups.get("two or more disagree", [])
    all3 = sum(1 for c in two if all(modality(c, m) != c["s"] for m in MODALITIES))
    print(f"   (of two or more: {all3} have all three disagreeing)")

    print("-- modality agreement with the overall label")
    for m in MODALITIES:
        k = sum(1 for c in clips if modality(c, m) == c["s"])
        print(f"   {m:<5} {k:5d}/{len(clips)} = {k / len(clips):.4f}")
    print("-- modality agreement per overall sentiment (agree/clips)")
    for s in range(3):
        members = [c for c in clips if c["s"] == s]
        cells = "  ".join(
            f"{m} {sum(1 for c in members if modality(c, m) == s)}/{len(members)}" for m in MODALITIES)
        print(f"   {SENTIMENTS[s]:<8} {cells}")

    per_video = collections.Counter(c["video"] for c in clips)
    n = sorted(per_video.values())
    print(f"-- clips per source video: min {n[0]}, median {statistics.median(n)}, max {n[-1]}, "
          f"mean {statistics.mean(n):.2f}, videos {len(n)}")
    print(f"   sorted counts: {n}")
    print()


def main():
    release = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("INDOMER_LABELS")
    if not release:
        sys.exit("usage: count_release_labels.py RELEASE_DIR (or set INDOMER_LABELS to the folder with 3_Class/ and 7_Class/)")
    data = {split: load(release, split) for split in SPLITS}
    shared = {c["video"] for c in data["train"]} & {c["video"] for c in data["val"]}
    print(f"release: {os.path.normpath(release)}; source videos in both splits: {len(shared)}")
    print()
    for split in SPLITS:
        report(split, data[split])


if __name__ == "__main__":
    main()
