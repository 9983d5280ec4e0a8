"""All six of MMSA 2.2.1's models, each run the way MMSA runs it, on a batch with end padding:
Tests/FusionModelsTests/Fixtures/mmsa_protocol_<model>.h5, for MMSAProtocolParityTests.swift
(our models under `--protocol mmsa`).

Unlike make_mmsa_parity.py (the architectures on unpadded batches), every clip here has its own
true length in each modality, zero-padded at the end to the batch's padded lengths as MMSA's
pickles are, and the inputs reach the model through MMSA's own code paths:
- every model is built and run through MMSA's `AMIO` wrapper (`MMSA/models/AMIO.py`), so EF_LSTM
  and MFN get MMSA's `AlignSubNet(args, 'avg_pool')` (the wheel's strided pooling, padding with
  the last frame) and EF_LSTM its `BatchNorm1d(seq_lens[0])` over the time axis;
- LF_DNN, TFN and MFN get audio and video as `need_normalized` gives them: the padded arrays'
  time means, computed in torch from the padded leaf (so that input gradients reach the padded
  frames) and checked equal to `MMDataset.__normalize` of the data loader on the same arrays;
- MULT sees the padded arrays whole (no masks; its future mask on padded lengths, its last padded
  position read out), with a kernel-3 text projection that pads nothing;
- MISA reads its text lengths from the `text_bert` attention mask and packs its audio and video
  LSTMs with them; its BERT encoder is replaced by a stub returning the text features (the hub is
  unreachable here, and our MISA reads the release's frozen features), so the check covers
  everything after BERT; its loss is MMSA's trainer's (`trains/singleTask/MISA.py`: cross-entropy
  + diff_weight * get_diff_loss + sim_weight * get_cmd_loss + recon_weight * get_recon_loss).

Layout: state/<MMSA key, without AMIO's `Model.`>, inputs/{text,audio,video} (padded),
lengths/{text,audio,video} (true, int64), labels, outputs/{logits,loss}, outputs/eval_logits
(the same batch in evaluation mode after that one training step's forward: BatchNorm's
running statistics),
grads/params/<MMSA key>, grads/inputs/<modality> (with respect to the padded arrays).
Classification mode, every dropout 0, training mode.

Set-up as make_mmsa_parity.py (the released wheel in a venv, plus h5py):
    .venv-mmsa/bin/python Tests/Fixtures/Reference/make_mmsa_protocol_parity.py
Written with mmsa 2.2.1, torch 2.13 (CPU), h5py 3.16.
"""
import importlib
import pathlib

import h5py
import numpy as np
import torch
from easydict import EasyDict

from MMSA.data_loader import MMDataset
from MMSA.models.AMIO import AMIO
from MMSA.trains.singleTask.MISA import MISA as MISATrainer

OUT = pathlib.Path(__file__).resolve().parents[2] / "FusionModelsTests/Fixtures"
B = 4
PADDED = {"text": 6, "audio": 11, "video": 8}
# Clip 0 fills its audio and clip 1 its video, so AlignSubNet's last-frame padding copies a
# true frame for them and a zero frame for the others.
LENGTHS = {"text": [5, 3, 6, 2], "audio": [11, 4, 7, 9], "video": [3, 8, 5, 6]}
LABELS = torch.tensor([0, 2, 1, 2])


class StubBert(torch.nn.Module):
    """Stands in for MISA's BertTextEncoder: returns the text features set before the call."""

    def __init__(self, *args, **kwargs):
        super().__init__()
        self.features = None

    def forward(self, text):
        return self.features


# The module, not the class the package re-exports under the same name.
importlib.import_module("MMSA.models.singleTask.MISA").BertTextEncoder = StubBert


def common(name, dims, **extra):
    return EasyDict(
        model_name=name, feature_dims=dims, seq_lens=[PADDED["text"], PADDED["audio"],
                                                      PADDED["video"]],
        num_classes=3, train_mode="classification", dataset_name="sims", **extra)


def late_fusion(name):
    return common(name, (6, 3, 5), need_normalized=True, hidden_dims=(4, 3, 5), text_out=4,
                  post_fusion_dim=6, dropouts=(0.0, 0.0, 0.0, 0.0))


def ef_lstm():
    return common("ef_lstm", (6, 3, 5), need_model_aligned=True, hidden_dims=5, num_layers=2,
                  dropout=0.0)


def mfn():
    def block(width):
        return {"shapes": width, "drop": 0.0}
    args = common("mfn", (6, 3, 5), need_normalized=True, need_model_aligned=True,
                  hidden_dims=(4, 3, 5), memsize=6, windowsize=2, NN1Config=block(7),
                  NN2Config=block(5), gamma1Config=block(4), gamma2Config=block(3),
                  outConfig=block(6))
    # The loader's lengths after `need_normalized`: audio and video are one step long.
    args.seq_lens = [PADDED["text"], 1, 1]
    return args


def mult():
    return common("mult", (6, 3, 5), use_bert=False, dst_feature_dim_nheads=(8, 2), nlevels=1,
                  attn_dropout=0.0, attn_dropout_a=0.0, attn_dropout_v=0.0, relu_dropout=0.0,
                  embed_dropout=0.0, res_dropout=0.0, output_dropout=0.0, text_dropout=0.0,
                  attn_mask=True, conv1d_kernel_size_l=3, conv1d_kernel_size_a=1,
                  conv1d_kernel_size_v=1)


def misa():
    return common("misa", (768, 3, 5), use_bert=True, use_finetune=False, transformers="bert",
                  pretrained="stub", rnncell="lstm", hidden_size=8, dropout=0.0, use_cmd_sim=True,
                  reverse_grad_weight=1.0, diff_weight=0.3, sim_weight=1.0, recon_weight=0.8)


def padded_leaf(modality, dim, g):
    x = torch.zeros(B, PADDED[modality], dim)
    for b, n in enumerate(LENGTHS[modality]):
        x[b, :n] = torch.randn(n, dim, generator=g)
    return x.requires_grad_(True)


def time_means(audio, video):
    """`need_normalized` in torch (so gradients reach the padded frames), checked against the
    data loader's own `MMDataset.__normalize` on the same arrays."""
    a, v = audio.mean(dim=1, keepdim=True), video.mean(dim=1, keepdim=True)
    loader = MMDataset.__new__(MMDataset)
    loader.audio, loader.vision = audio.detach().numpy().copy(), video.detach().numpy().copy()
    loader._MMDataset__normalize()
    assert np.allclose(loader.audio, a.detach().numpy(), atol=1e-7)
    assert np.allclose(loader.vision, v.detach().numpy(), atol=1e-7)
    return a, v


def write(name, args, seed):
    torch.manual_seed(seed)
    amio = AMIO(args)
    for p in amio.parameters():
        torch.nn.init.uniform_(p, -0.5, 0.5)
    for m in amio.modules():
        if isinstance(m, torch.nn.Dropout):
            m.p = 0.0
        # MISA's nn.TransformerEncoderLayer keeps its attention dropout (0.1) as a float.
        if isinstance(m, torch.nn.MultiheadAttention):
            m.dropout = 0.0
    amio.train()
    g = torch.Generator().manual_seed(seed + 1)
    dims = args.feature_dims
    text, audio, video = (padded_leaf(m, d, g) for m, d in zip(("text", "audio", "video"), dims))
    state = {k.removeprefix("Model."): v.detach().clone() for k, v in amio.state_dict().items()}
    a, v = time_means(audio, video) if args.get("need_normalized") else (audio, video)
    if name == "misa":
        mask = torch.zeros(B, PADDED["text"])
        for b, n in enumerate(LENGTHS["text"]):
            mask[b, :n] = 1
        amio.Model.bertmodel.features = text
        t = torch.stack([torch.zeros_like(mask), mask, torch.zeros_like(mask)], dim=1)
    else:
        t = text
    logits = amio(t, a, v)["M"]
    loss = torch.nn.functional.cross_entropy(logits, LABELS)
    if name == "misa":
        trainer = MISATrainer(args)
        trainer.model = amio
        loss = (loss + args.diff_weight * trainer.get_diff_loss()
                + args.sim_weight * trainer.get_cmd_loss()
                + args.recon_weight * trainer.get_recon_loss())
    loss.backward()
    # Then evaluation mode: EF-LSTM's and LF-DNN's BatchNorm running statistics, as the one
    # training forward left them.
    amio.eval()
    with torch.no_grad():
        eval_logits = amio(t, a, v)["M"]
    with h5py.File(OUT / f"mmsa_protocol_{name.replace('_', '-')}.h5", "w") as f:
        for k, val in state.items():
            f[f"state/{k}"] = val.float().numpy()
        for m, x in (("text", text), ("audio", audio), ("video", video)):
            f[f"inputs/{m}"] = x.detach().numpy()
            f[f"lengths/{m}"] = np.array(LENGTHS[m], dtype=np.int64)
            f[f"grads/inputs/{m}"] = x.grad.numpy()
        f["labels"] = LABELS.numpy()
        f["outputs/logits"] = logits.detach().numpy()
        f["outputs/loss"] = loss.detach().reshape(1).numpy()
        f["outputs/eval_logits"] = eval_logits.numpy()
        for k, p in amio.named_parameters():
            if p.grad is not None:
                f[f"grads/params/{k.removeprefix('Model.')}"] = p.grad.numpy()
    print(f"mmsa_protocol_{name}.h5: loss {loss.item():.6f}")


write("ef_lstm", ef_lstm(), 21)
write("lf_dnn", late_fusion("lf_dnn"), 22)
write("tfn", late_fusion("tfn"), 23)
write("mfn", mfn(), 24)
write("mult", mult(), 25)
write("misa", misa(), 26)
