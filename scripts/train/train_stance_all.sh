#!/usr/bin/env bash
# The stance recipe end to end, each step resumable (rerun after an interruption):
#  1. from the MiniLM base, mode both, all of NewsMTSC, P-Stance and SemEval train,
#     3 epochs at 5e-5, dev every 600 steps (the best dev checkpoint is kept);
#     --init-seed 21 (head, dropout, batch order; the dev split stays at seed 13):
#     of the two seeds trained, 21 and 34, 21 had the better dev score;
#  2. export the best checkpoint to models/stance (fp16).
# See models/stance/MODEL.md (it also records the earlier two-stage recipe and
# the experiments that were measured and not shipped). Needs the training venv
# and the bases (scripts/train/setup_train_env.sh, scripts/train/fetch_bases.sh).
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=${PY:-.venv-train/bin/python}
THREADS=${THREADS:-1}
SEED=${SEED:-21}
[ -d checkpoints/bases/minilm-uncased ] || bash scripts/train/fetch_bases.sh
"$PY" scripts/train/train_stance.py --base checkpoints/bases/minilm-uncased --ckpt "checkpoints/member-$SEED" \
  --mode both --sets newsmtsc,pstance,semeval --epochs 3 --lr 5e-5 --batch 16 --bf16 --threads "$THREADS" \
  --save-every 100 --eval-every 600 --init-seed "$SEED"
"$PY" scripts/export/export_stance.py --src "checkpoints/member-$SEED/best" --out models/stance
