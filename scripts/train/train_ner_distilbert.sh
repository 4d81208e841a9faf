#!/usr/bin/env bash
# The recipe of the DistilBERT NER model shipped until 2026-12-06 (stages 1 and 2; stage 3 is
# scripts/train/train_ner_comments.sh); the model shipped now is scripts/train/train_ner_all.sh's.
# Each step resumable (rerun the script after an interruption).
#  1. base comparison: both bases fine-tuned with the same hyper-parameters; MiniLM was
#     stopped after its first epoch (valid F1 0.714 vs 0.814 for DistilBERT at the same
#     point), see models/ner/MODEL.md;
#  2. DistilBERT: 3 epochs at 5e-5, then 3 more epochs from the best checkpoint at 3e-5;
#  3. export the best checkpoint to checkpoints/ner-distilbert/export (fp16; OUT= to change).
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=${PY:-.venv-train/bin/python}
THREADS=${THREADS:-2}
[ -d checkpoints/bases/distilbert-cased ] || bash scripts/train/fetch_bases.sh
common=(--batch 16 --max-len 128 --bf16 --threads "$THREADS")
"$PY" scripts/train/train_ner.py --base checkpoints/bases/distilbert-cased --ckpt checkpoints/ner-distilbert-cased \
  --epochs 3 --lr 5e-5 "${common[@]}"
"$PY" scripts/train/train_ner.py --base checkpoints/bases/minilm-uncased --ckpt checkpoints/ner-minilm-uncased \
  --epochs "${MINILM_EPOCHS:-1}" --lr 5e-5 "${common[@]}"
"$PY" scripts/train/train_ner.py --base checkpoints/ner-distilbert-cased/best --ckpt checkpoints/ner-distilbert-cased-stage2 \
  --epochs 3 --lr 3e-5 --seed 14 "${common[@]}"
"$PY" scripts/export/export_ner.py --pick ner-distilbert-cased-stage2 --out "${OUT:-checkpoints/ner-distilbert/export}"
