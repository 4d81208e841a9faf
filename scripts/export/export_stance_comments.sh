#!/usr/bin/env bash
# Exports the best checkpoint of scripts/train/train_stance_context.sh to models/stance-comments
# (only the tensors it changed; the rest is read from models/stance-accurate, SHA-256
# checked), then fits its calibration temperature (scripts/train/calibrate_stance.sh).
#   usage: scripts/export/export_stance_comments.sh [CKPT]   (default checkpoints/stance-comments-v5)
set -euo pipefail
cd "$(dirname "$0")/../.."
CKPT=${1:-checkpoints/stance-comments-v5}
.venv-train/bin/python scripts/export/export_stance.py --src "$CKPT/best" --out models/stance-comments \
  --share-unchanged models/stance-accurate
bash scripts/train/calibrate_stance.sh models/stance-comments
