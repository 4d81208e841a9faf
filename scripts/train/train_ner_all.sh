#!/usr/bin/env bash
# The shipped NER model's recipe (models/ner since 2026-12-06; models/ner/MODEL.md): the first 6
# layers of all-mpnet-base-v2 (uncased) with a learned casing embedding, trained in one stage on
# CoNLL-2003 train + WNUT-17 train (mapped to PER/LOC/ORG) + case-noised CoNLL copies (20 %
# lower-cased, 5 % upper-cased), 2 epochs at 5e-5 (6 % warm-up, linear decay), batch 16,
# 128 pieces, bf16 autocast, seed 13, the better epoch on CoNLL-2003 valid kept. The word-piece
# and position tables are frozen at the accurate stance model's (models/stance-accurate, itself
# fine-tuned from the same base), so the export leaves the 47 MB word-piece table out and loads
# it from there (config.json "shared_tensors").
# Resumable (rerun after an interruption). Needs the training venv (scripts/train/setup_train_env.sh),
# ../shared/data/ner, and the base (fetched when missing). Then scored by the Rust pipeline:
#   stancegraph eval ner ../shared/data/ner/conll2003/test.txt   (and valid.txt, --format wnut17)
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=${PY:-.venv-train/bin/python}
CKPT=${CKPT:-checkpoints/ner-mpnet6-shared}
OUT=${OUT:-models/ner}
CKPT=$CKPT EPOCHS=2 LAYERS=6 EVAL=0 THREADS=${THREADS:-2} \
  EXTRA="--wnut --lower-share 0.2 --upper-share 0.05 --freeze-embeddings --embeddings-from models/stance-accurate" \
  bash scripts/train/train_ner_mpnet.sh
"$PY" scripts/export/export_ner.py --src "$CKPT/best" --out "$OUT" --share-embeddings models/stance-accurate
