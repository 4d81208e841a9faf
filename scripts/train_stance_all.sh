#!/usr/bin/env bash
# The stance recipe end to end, each step resumable (rerun after an interruption):
#  1. MiniLM base, mode both, P-Stance capped at 8,400, 3 epochs at 5e-5;
#  2. from the exported best of stage 1: all of P-Stance, 2 epochs at 3e-5,
#     dev every 600 steps (the best dev checkpoint is kept);
#  3. export the best of stage 2 to models/stance (fp16).
# See models/stance/MODEL.md. Needs the training venv and the bases
# (scripts/setup_train_env.sh, scripts/fetch_bases.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv-train/bin/python}
THREADS=${THREADS:-1}
[ -d checkpoints/bases/minilm-uncased ] || bash scripts/fetch_bases.sh
common=(--mode both --batch 16 --bf16 --threads "$THREADS" --save-every 50)
"$PY" scripts/train_stance.py --base checkpoints/bases/minilm-uncased --ckpt checkpoints/stance-minilm-both \
  --max-per-set 8400 --epochs 3 --lr 5e-5 "${common[@]}"
[ -f checkpoints/stance-stage1-export/model.safetensors ] ||
  "$PY" scripts/export_stance.py --pick stance-minilm-both --out checkpoints/stance-stage1-export
"$PY" scripts/train_stance.py --base checkpoints/stance-stage1-export --ckpt checkpoints/stance-stage2 \
  --sets newsmtsc,pstance,semeval --epochs 2 --lr 3e-5 --eval-every 600 "${common[@]}"
"$PY" scripts/export_stance.py --pick stance-stage2 --out models/stance
