#!/usr/bin/env bash
# Regenerates every fixture that comes from MMSA 2.2.1's own code, in a reference virtual
# environment it makes if missing (.venv-mmsa at the repository root): the released wheel with
# --no-deps, plus only what its package __init__ and model modules import (torch, transformers,
# numpy, pandas, easydict, tqdm, scikit-learn, nvidia-ml-py3) and h5py for the fixtures.
#
#   Tests/Fixtures/Reference/make_mmsa_all.sh            # PyPI's torch (the CUDA wheel runs on CPU)
#   TORCH=/path/to/torch-*.whl Tests/Fixtures/Reference/make_mmsa_all.sh
#
# Writes: Tests/DatasetsTests/Fixtures/mmsa_labels.json (MetricsTop's classes),
# Tests/FusionModelsTests/Fixtures/mmsa_*.h5 (MMSA's LF_DNN, TFN, MULT, MFN on unpadded batches),
# mmsa_protocol_*.h5 (all six through AMIO on padded clips), converted_*.h5 (tools/mmsa_weights.py).
# The MMSA-format pickles themselves come from make_mmsa_fixtures.py (NumPy only).
set -euo pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)
cd "$root"
venv=.venv-mmsa
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --no-deps mmsa==2.2.1
    "$venv/bin/pip" install --quiet "${TORCH:-torch}"
    "$venv/bin/pip" install --quiet numpy scikit-learn pandas easydict tqdm transformers \
        nvidia-ml-py3 h5py
fi
py="$venv/bin/python"
"$py" -c 'import importlib.metadata as m; assert m.version("mmsa") == "2.2.1", m.version("mmsa")'
reference=Tests/Fixtures/Reference
fixtures=Tests/FusionModelsTests/Fixtures
"$py" $reference/make_mmsa_label_fixtures.py
"$py" $reference/make_mmsa_parity.py
"$py" $reference/make_mmsa_protocol_parity.py
for m in lf-dnn tfn mult mfn; do
    "$py" tools/mmsa_weights.py to-ours --model $m $fixtures/mmsa_$m.h5 $fixtures/converted_$m.h5
done
for m in ef-lstm misa; do
    "$py" tools/mmsa_weights.py to-ours --model $m $fixtures/mmsa_protocol_$m.h5 \
        $fixtures/converted_$m.h5
done
echo "MMSA fixtures written; git status shows which changed"
