#!/usr/bin/env bash
# The MPNet NER candidate of issue 13 (item 4): all-mpnet-base-v2 (uncased, 12 x 768) with a
# small learned casing embedding (scripts/lib/ner_casing.py: the class of the original-cased word
# of each piece -- no letters, lower, Title, UPPER, mixed -- an nn.Embedding(5, 768) starting
# at zeros, added to the word embeddings), to be measured against the shipped DistilBERT model.
# Each step is resumable (rerun after an interruption):
#  1. train_ner.py --casing from checkpoints/bases/mpnet-base (scripts/train/fetch_bases.sh mpnet)
#     into checkpoints/ner-mpnet-casing: CoNLL-2003 train as the shipped model's stage 1
#     (3 epochs at 5e-5, 6 % warm-up, batch 16, 128 pieces, bf16 autocast, seed 13; the best
#     epoch on CoNLL valid is kept). EXTRA adds data options, e.g.
#     EXTRA="--wnut --lower-share 0.2 --upper-share 0.05" for the comment recipe's data;
#     LAYERS=N keeps only the base's first N layers (train_ner.py --layers), into
#     checkpoints/ner-mpnet-casing-lN: LAYERS=6 costs what the shipped 6-layer DistilBERT does;
#     CKPT=DIR trains into DIR instead, EPOCHS=N changes the 3 epochs;
#  2. export the best epoch to checkpoints/ner-mpnet-casing/export (NOT models/ner; fp16,
#     split into files of at most 150 MB) and score it with the Rust pipeline on CoNLL-2003
#     valid and test and WNUT-17 dev (EVAL=0 skips the scoring).
# Not trained yet (models/ner/MODEL.md): on this project's 2 shared cores expect roughly twice
# the DistilBERT time per step (12 layers instead of 6).
#
#   bash scripts/train/train_ner_mpnet.sh              the recipe
#   bash scripts/train/train_ner_mpnet.sh --smoke DIR  the wiring only, in a few minutes: 3 steps of
#       2 chunks (seeded sample of CoNLL-2003 train, read in place from $DATA, chunks of at most
#       64 pieces) at a learning rate of 1e-6 (SMOKE_LR), the casing rows started at N(0, 0.5):
#       the model stays near its random start, so it predicts spans of every type and the
#       casing classes move its logits (at 5e-5 three steps already teach it "all O", which
#       would leave the span comparison nothing to compare); exported to DIR/model, with
#       DIR/reference.json (transformers' logits and spans for scripts/reference/ner_reference.py's
#       texts), which tests/mpnet.rs compares with the Rust side (`make test-mpnet`).
# Needs the training venv (scripts/train/setup_train_env.sh) and ../shared/data/ner.
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=${PY:-.venv-train/bin/python}
THREADS=${THREADS:-1}
DATA=${DATA:-../shared/data/ner}
BASE=${STANCEGRAPH_MPNET_BASE:-checkpoints/bases/mpnet-base}
BIN=${BIN:-${CARGO_TARGET_DIR:-target}/release/stancegraph}
[ -f "$BASE/model.safetensors" ] || bash scripts/train/fetch_bases.sh mpnet
if [ "${1:-}" = "--smoke" ]; then
  DIR=${2:?usage: train_ner_mpnet.sh --smoke DIR}
  [ -f "$DATA/conll2003/train.txt" ] || { echo "train_ner_mpnet.sh: $DATA/conll2003/train.txt missing (../shared/data)" >&2; exit 1; }
  rm -rf "$DIR/ckpt"
  "$PY" scripts/train/train_ner.py --base "$BASE" --ckpt "$DIR/ckpt" --data "$DATA" --casing --casing-init-std 0.5 \
    --limit-train 6 --limit-valid 2 --max-len 64 --batch 2 --epochs 1 --lr "${SMOKE_LR:-1e-6}" --seed 13 \
    --threads "$THREADS" --save-every 100
  "$PY" scripts/export/export_ner.py --src "$DIR/ckpt/best" --out "$DIR/model"
  "$PY" scripts/reference/ner_reference.py --model "$DIR/model" --out "$DIR/reference.json"
  rm -rf "$DIR/ckpt"
  exit 0
fi
CKPT=${CKPT:-checkpoints/ner-mpnet-casing${LAYERS:+-l$LAYERS}}
# shellcheck disable=SC2086
"$PY" scripts/train/train_ner.py --base "$BASE" --ckpt "$CKPT" --data "$DATA" --casing ${EXTRA:-} ${LAYERS:+--layers $LAYERS} \
  --epochs "${EPOCHS:-3}" --lr 5e-5 --batch 16 --max-len 128 --seed 13 --bf16 --threads "${THREADS}" --save-every 50
"$PY" scripts/export/export_ner.py --src "$CKPT/best" --out "$CKPT/export"
[ "${EVAL:-1}" = 1 ] || exit 0
[ -x "$BIN" ] || { echo "train_ner_mpnet.sh: $BIN missing (make build)" >&2; exit 1; }
for s in "--format conll $DATA/conll2003/valid.txt" "--format conll $DATA/conll2003/test.txt" \
         "--format wnut17 $DATA/wnut17/dev.conll"; do
  echo "== $s"
  # shellcheck disable=SC2086
  "$BIN" eval ner --model "$CKPT/export" --threads "$THREADS" $s | tail -1
done
