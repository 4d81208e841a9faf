#!/usr/bin/env bash
# The NER recipe end to end: both bases, same hyper-parameters, each resumable.
# Then scripts/export_ner.py picks the better one by valid F1 and writes models/ner/.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv-train/bin/python}
[ -d checkpoints/bases/distilbert-cased ] || bash scripts/fetch_bases.sh
for base in distilbert-cased minilm-uncased; do
  "$PY" scripts/train_ner.py --base checkpoints/bases/$base --ckpt checkpoints/ner-$base \
    --epochs 3 --lr 5e-5 --batch 16 --max-len 128 --bf16
done
