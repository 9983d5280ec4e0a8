"""MMSA 2.2.1's own LF_DNN, TFN, MULT and MFN (MMSA/models/singleTask/), built from its classes at small
sizes with seeded random weights, one training-mode forward and backward on a small batch:
Tests/FusionModelsTests/Fixtures/mmsa_<model>.h5, for MMSAParityTests.swift.

Layout: state/<MMSA state_dict key>, inputs/{text,audio,video}, labels, outputs/{logits,loss},
grads/params/<MMSA key>, grads/inputs/<modality>. The batch has no padding: text is (B, L, D)
with every step true; for LF_DNN and TFN audio and video are (B, 1, D) as MMSA's
`need_normalized` gives them (their time averages), for MULT (B, 7, D) and (B, 3, D), unpadded, and for MFN (B, L, D), aligned with the text, so the parity checks the architectures and the key tables, not MMSA's
padding choices. Classification mode (`num_classes` logits, cross-entropy), every dropout 0.

Set-up as make_mmsa_label_fixtures.py (the released wheel in a venv), plus h5py:
    .venv-mmsa/bin/pip install h5py
    .venv-mmsa/bin/python Tests/Fixtures/Reference/make_mmsa_parity.py
Written with mmsa 2.2.1, torch 2.13 (CPU), h5py 3.16.
"""
import pathlib
from types import SimpleNamespace

import h5py
import torch
from MMSA.models.singleTask.LF_DNN import LF_DNN
from MMSA.models.singleTask.MFN import MFN
from MMSA.models.singleTask.MULT import MULT
from MMSA.models.singleTask.TFN import TFN

OUT = pathlib.Path(__file__).resolve().parents[2] / "FusionModelsTests/Fixtures"
B, L = 4, 5
DIMS = (6, 3, 5)  # text, audio, video (MMSA's feature_dims order)


def args():
    return SimpleNamespace(
        feature_dims=DIMS, hidden_dims=(4, 3, 5), text_out=4, post_fusion_dim=6,
        dropouts=(0.0, 0.0, 0.0, 0.0), num_classes=3, train_mode="classification")


def mult_args():
    """MulT at small sizes: 8-wide, 2 heads, one layer, every dropout 0, the future mask on,
    kernel-1 projections (MMSA pads none, so longer kernels shorten the sequences), no BERT."""
    return SimpleNamespace(
        use_bert=False, dst_feature_dim_nheads=(8, 2), feature_dims=DIMS, nlevels=1,
        attn_dropout=0.0, attn_dropout_a=0.0, attn_dropout_v=0.0, relu_dropout=0.0,
        embed_dropout=0.0, res_dropout=0.0, output_dropout=0.0, text_dropout=0.0,
        attn_mask=True, conv1d_kernel_size_l=1, conv1d_kernel_size_a=1, conv1d_kernel_size_v=1,
        num_classes=3, train_mode="classification")


def mfn_args():
    """MFN at small sizes, every dropout 0; its inputs share one time axis (aligned)."""
    def block(width):
        return {"shapes": width, "drop": 0.0}
    return SimpleNamespace(
        feature_dims=DIMS, hidden_dims=(4, 3, 5), memsize=6, windowsize=2, NN1Config=block(7),
        NN2Config=block(5), gamma1Config=block(4), gamma2Config=block(3), outConfig=block(6),
        num_classes=3, train_mode="classification")


def write(name, model, seed, steps=(1, 1)):
    torch.manual_seed(seed)
    for p in model.parameters():
        if p.requires_grad:
            torch.nn.init.uniform_(p, -0.5, 0.5)
    model.train()
    g = torch.Generator().manual_seed(seed + 1)
    text = torch.randn(B, L, DIMS[0], generator=g, requires_grad=True)
    audio = torch.randn(B, steps[0], DIMS[1], generator=g, requires_grad=True)
    video = torch.randn(B, steps[1], DIMS[2], generator=g, requires_grad=True)
    labels = torch.tensor([0, 2, 1, 2])
    state = {k: v.detach().clone() for k, v in model.state_dict().items()}
    logits = model(text, audio, video)["M"]
    loss = torch.nn.functional.cross_entropy(logits, labels)
    loss.backward()
    with h5py.File(OUT / f"mmsa_{name}.h5", "w") as f:
        for k, v in state.items():
            f[f"state/{k}"] = v.float().numpy()
        for m, x in (("text", text), ("audio", audio), ("video", video)):
            f[f"inputs/{m}"] = x.detach().numpy()
            f[f"grads/inputs/{m}"] = x.grad.numpy()
        f["labels"] = labels.numpy()
        f["outputs/logits"] = logits.detach().numpy()
        f["outputs/loss"] = loss.detach().reshape(1).numpy()
        for k, p in model.named_parameters():
            if p.grad is not None:
                f[f"grads/params/{k}"] = p.grad.numpy()
    print(f"mmsa_{name}.h5: loss {loss.item():.6f}")


write("lf-dnn", LF_DNN(args()), 11)
write("tfn", TFN(args()), 12)
write("mult", MULT(mult_args()), 13, steps=(7, 3))
write("mfn", MFN(mfn_args()), 14, steps=(L, L))
