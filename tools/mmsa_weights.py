#!/usr/bin/env python3
"""Converts an MMSA 2.2.1 model's weights to this package's checkpoint and back.

    python3 tools/mmsa_weights.py to-ours  --model lf-dnn MODEL.pth  OURS.h5
    python3 tools/mmsa_weights.py to-mmsa  --model lf-dnn OURS.h5    MODEL.pth

MODEL.pth is a PyTorch state dict as MMSA saves it (`torch.save(model.state_dict(), path)` of its
`AMIO` wrapper, so every key starts with `Model.`; a bare model's keys, without it, are read too,
and `to-mmsa --bare` writes them); OURS.h5 is what `baselines run --save-checkpoints` writes and `baselines eval`
reads: one float32 dataset per state-dict entry, named by our key. `to-ours` also accepts an
HDF5 file whose `state/` group holds MMSA's entries (the parity fixtures).

The key table, one per model, is the same as Sources/FusionModels/MMSAStateDict.swift:
- lf-dnn, tfn: our `<modality>.subnet.` is MMSA's `<modality>_subnet.`; TFN's `output_range`
  and `output_shift` have no counterpart (dropped, and restored as 6 and -3 going back);
  LF-DNN's `post_fusion_layer_1.weight` takes its input columns as text, audio, video where
  MMSA has audio, video, text (the widths are read from the subnetworks' output layers).
- mult: the same names; fairseq's `*.version` buffers are dropped (restored as 2, their value, going back).
- mfn: our `lstm_T/A/V.` is MMSA's `lstm_l/a/v.`.
- ef-lstm: the same names. MMSA's `norm` (BatchNorm over the padded time axis) exists in ours
  only under `--protocol mmsa`, so a converted EF-LSTM loads into a run of that protocol.
- misa: our `<m>_encoder.rnn1/.layer_norm/.rnn2` are MMSA's `<m>rnn1`, `<m>layer_norm`,
  `<m>rnn2`; `project_<m>.linear/.norm` are `project_<m>.project_<m>` and
  `project_<m>.project_<m>_layer_norm`; `private_<m>` is `private_<m>.private_<m>_1` (`_3` for
  audio), `shared` `shared.shared_1`, `recon_<m>` `recon_<m>.recon_<m>_1`, `transformer`
  `transformer_encoder.layers.0`, `fusion.layer_<i>` `fusion.fusion_layer_<i>`. MMSA's
  `bertmodel` (BERT; ours reads the features), `tlayer_norm` (unused with BERT) and
  `sp_discriminator` (never in the loss) are dropped; going back, `tlayer_norm` is restored at
  its initial value (ones, zeros) and `sp_discriminator` as zeros, and BERT is not included
  (load with `strict=False` over MMSA's own BERT). `fusion.layer_1.weight`'s input columns are
  our tokens (p_T, p_A, p_V, s_T, s_A, s_V) where MMSA's are (p_t, p_v, p_a, s_t, s_v, s_a).
Needs numpy and h5py; torch only for .pth files.
"""
import argparse
import sys

import h5py
import numpy as np

LETTERS = {"text": ("T", "l"), "audio": ("A", "a"), "video": ("V", "v")}
MODELS = ["ef-lstm", "lf-dnn", "tfn", "mfn", "mult", "misa"]
# MISA: (our prefix, MMSA's prefix).
MISA_PREFIXES = [
    pair for m in "tav" for pair in (
        (f"{m}_encoder.rnn1.", f"{m}rnn1."), (f"{m}_encoder.rnn2.", f"{m}rnn2."),
        (f"{m}_encoder.layer_norm.", f"{m}layer_norm."),
        (f"project_{m}.linear.", f"project_{m}.project_{m}."),
        (f"project_{m}.norm.", f"project_{m}.project_{m}_layer_norm."),
        (f"private_{m}.", f"private_{m}.private_{m}_{3 if m == 'a' else 1}."),
        (f"recon_{m}.", f"recon_{m}.recon_{m}_1."))
] + [("shared.", "shared.shared_1."), ("transformer.", "transformer_encoder.layers.0."),
     ("fusion.layer_", "fusion.fusion_layer_")]
MISA_OURS = ["private text", "private audio", "private video", "shared text", "shared audio",
             "shared video"]
MISA_MMSA = ["private text", "private video", "private audio", "shared text", "shared video",
             "shared audio"]


def to_mmsa_key(ours, model):
    if model in ("lf-dnn", "tfn"):
        for m in LETTERS:
            if ours.startswith(f"{m}.subnet."):
                return f"{m}_subnet." + ours[len(f"{m}.subnet."):]
        return ours
    if model == "mult":
        return ours
    if model == "mfn":
        for m, (letter, mult) in LETTERS.items():
            if ours.startswith(f"lstm_{letter}."):
                return f"lstm_{mult}." + ours[len(f"lstm_{letter}."):]
        return ours
    if model == "ef-lstm":
        return ours
    if model == "misa":
        for prefix, theirs in MISA_PREFIXES:
            if ours.startswith(prefix):
                return theirs + ours[len(prefix):]
        return ours
    sys.exit(f"no key table for {model} ({', '.join(MODELS)})")


def to_ours_key(mmsa, model):
    if model in ("lf-dnn", "tfn"):
        for m in LETTERS:
            if mmsa.startswith(f"{m}_subnet."):
                return f"{m}.subnet." + mmsa[len(f"{m}_subnet."):]
        return None if mmsa in ("output_range", "output_shift") else mmsa
    if model == "mult":
        return None if mmsa.endswith(".version") else mmsa
    if model == "mfn":
        for m, (letter, mult) in LETTERS.items():
            if mmsa.startswith(f"lstm_{mult}."):
                return f"lstm_{letter}." + mmsa[len(f"lstm_{mult}."):]
        return mmsa
    if model == "ef-lstm":
        return mmsa
    if model == "misa":
        if mmsa.startswith(("bertmodel.", "tlayer_norm.", "sp_discriminator.")):
            return None
        for ours, theirs in MISA_PREFIXES:
            if mmsa.startswith(theirs):
                return ours + mmsa[len(theirs):]
        return mmsa
    sys.exit(f"no key table for {model} ({', '.join(MODELS)})")


def lfdnn_blocks(state, mmsa_names):
    """LF-DNN's fused widths (text, audio, video) from the subnetworks' output layers."""
    key = (lambda m, rest: f"{m}_subnet.{rest}") if mmsa_names else (lambda m, rest: f"{m}.subnet.{rest}")
    return {"text": state[key("text", "linear_1.weight")].shape[0],
            "audio": state[key("audio", "linear_3.weight")].shape[0],
            "video": state[key("video", "linear_3.weight")].shape[0]}


def misa_blocks(ours):
    """MISA's fusion tokens, each the hidden size wide (our `shared.weight` is hidden x hidden)."""
    hidden = ours["shared.weight"].shape[0]
    return {name: hidden for name in MISA_OURS}


def permute(weight, widths, source, target):
    """The weight's column blocks from `source` order into `target` order."""
    starts, offset = {}, 0
    for m in source:
        starts[m] = offset
        offset += widths[m]
    return np.concatenate([weight[:, starts[m]:starts[m] + widths[m]] for m in target], axis=1)


def read_mmsa(path):
    if path.endswith(".h5"):
        with h5py.File(path, "r") as f:
            group = f["state"] if "state" in f else f
            return {k: np.array(group[k]) for k in group}
    import torch
    return {k: v.detach().cpu().numpy() for k, v in torch.load(path, map_location="cpu").items()}


def convert_to_ours(model, source, target):
    # MMSA saves its AMIO wrapper, whose model sits under `Model.`.
    mmsa = {k.removeprefix("Model."): v for k, v in read_mmsa(source).items()}
    ours = {}
    for k, v in mmsa.items():
        key = to_ours_key(k, model)
        if key is not None:
            ours[key] = v.astype(np.float32)
    if model == "lf-dnn":
        widths = lfdnn_blocks(mmsa, True)
        w = "post_fusion_layer_1.weight"
        ours[w] = permute(ours[w], widths, ["audio", "video", "text"], ["text", "audio", "video"])
    if model == "misa":
        w = "fusion.layer_1.weight"
        ours[w] = permute(ours[w], misa_blocks(ours), MISA_MMSA, MISA_OURS)
    with h5py.File(target, "w") as f:
        for k, v in ours.items():
            f[k] = v


def convert_to_mmsa(model, source, target, bare=False):
    import torch
    with h5py.File(source, "r") as f:
        ours = {k: np.array(f[k]) for k in f}
    state = {to_mmsa_key(k, model): v for k, v in ours.items()}
    if model == "lf-dnn":
        widths = lfdnn_blocks(ours, False)
        w = "post_fusion_layer_1.weight"
        state[w] = permute(state[w], widths, ["text", "audio", "video"], ["audio", "video", "text"])
    if model == "tfn":
        state["output_range"], state["output_shift"] = np.array([6.0]), np.array([-3.0])
    if model == "misa":
        w = "fusion.fusion_layer_1.weight"
        state[w] = permute(state[w], misa_blocks(ours), MISA_OURS, MISA_MMSA)
        text = 2 * 768  # MMSA's tlayer_norm: LayerNorm(2 x the text width, 768 with BERT)
        state["tlayer_norm.weight"], state["tlayer_norm.bias"] = np.ones(text), np.zeros(text)
        hidden = ours["shared.weight"].shape[0]
        state["sp_discriminator.sp_discriminator_layer_1.weight"] = np.zeros((4, hidden))
        state["sp_discriminator.sp_discriminator_layer_1.bias"] = np.zeros(4)
    tensors = {}
    for k, v in state.items():
        # BatchNorm's counter is an integer in PyTorch.
        tensors[k] = torch.tensor(v.astype(np.int64) if k.endswith("num_batches_tracked") else v)
    if model == "mult":
        for t in ("l", "a", "v"):
            for s in [x for x in ("l", "a", "v") if x != t]:
                tensors[f"trans_{t}_with_{s}.version"] = torch.tensor([2.0])
            tensors[f"trans_{t}_mem.version"] = torch.tensor([2.0])
    torch.save(tensors if bare else {f"Model.{k}": v for k, v in tensors.items()}, target)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("direction", choices=["to-ours", "to-mmsa"])
    parser.add_argument("--model", required=True, choices=MODELS)
    parser.add_argument("--bare", action="store_true",
                        help="to-mmsa: the model's own keys, without AMIO's `Model.` prefix")
    parser.add_argument("source")
    parser.add_argument("target")
    a = parser.parse_args()
    if a.direction == "to-ours":
        convert_to_ours(a.model, a.source, a.target)
    else:
        convert_to_mmsa(a.model, a.source, a.target, bare=a.bare)


if __name__ == "__main__":
    main()
