#!/usr/bin/env bash
# Distillation of the accurate stance model (MPNet, the teacher) into a fast
# MiniLM student (issue 13), on unlabelled (comment, entity) pairs that our own
# pipeline asks on the comment corpora of ../shared/data, mixed with the gold
# sets of the shipped recipe. Each step is resumable (rerun after an
# interruption); everything but the exported model lies in $WORK (git-ignored
# checkpoints/ by default: it holds comment texts, which must never enter the
# repository):
#  1. corpora: the Reddit threads (scripts/data/reddit_to_jsonl.py) and the VAST dev
#     comments (scripts/data/vast_to_jsonl.py) as JSON Lines, $WORK/corpora/{reddit,vast}.jsonl;
#  2. runs: `stancegraph run` over each, one store per corpus ($WORK/runs/NAME),
#     --stance baseline (the questions asked do not depend on the classifier, and
#     the lexicon answers them at no cost; a rerun finds the documents unchanged);
#  3. pairs: scripts/train/distil_pairs.py rebuilds the stance questions of each run
#     (checked against stances.jsonl and the store's input hashes), leaving out
#     every comment of data/comment-dev/pairs.tsv (the comment-domain dev set),
#     $WORK/pairs-NAME.jsonl;
#  4. labels: scripts/train/teacher_label.py runs the teacher over the distinct questions
#     of both corpora, $WORK/labels.jsonl (appended to; a rerun labels what is left);
#  4b. gold labels (KD_WEIGHT > 0): the student's gold training items
#     (train_stance.py --dump-train, the same sets, split and seed as step 5) get
#     the teacher's logits too, $WORK/labels-gold.jsonl (resumable);
#  5. student: train_stance.py from the MiniLM base with the shipped recipe
#     (scripts/train/train_stance_all.sh: mode both, NewsMTSC + P-Stance + SemEval,
#     3 epochs at 5e-5, batch 16, bf16, dev every 600 steps, seed 21) plus
#     --soft $WORK/labels.jsonl --soft-weight $SOFT_WEIGHT and, with KD_WEIGHT > 0,
#     --teacher $WORK/labels-gold.jsonl --kd-weight $KD_WEIGHT --kd-temp $KD_TEMP,
#     $WORK/student-$SEED (resumes from last.pt, every 100 steps);
#  6. export: scripts/export/export_stance.py of the best dev checkpoint to OUT_DIR.
# See models/stance/MODEL.md ("Distillation recipe").
#
#   bash scripts/train/distil_stance.sh OUT_DIR          the recipe; the student is exported to OUT_DIR
#   bash scripts/train/distil_stance.sh --smoke DIR      every step on a few documents, <= 40 pairs and
#       3 training steps (the 18 hand-written gold examples of tests/fixtures/stance/smoke.jsonl
#       instead of the gold sets), all in DIR, the student exported to DIR/model
#
# Environment (paths relative to the repository root):
#   TEACHER     teacher model folder (default models/stance-accurate: scripts/train/train_stance_mpnet.sh;
#               train_stance.py's CKPT/best works too)
#   STANCEGRAPH the stancegraph binary (default target/release/stancegraph: `make build`)
#   PY          the training venv's python (default .venv-train/bin/python: scripts/train/setup_train_env.sh)
#   STANCEGRAPH_MINILM_BASE  the student's base (default checkpoints/bases/minilm-uncased: scripts/train/fetch_bases.sh)
#   CORPORA     the comment corpora, default "reddit vast" ("reddit" alone keeps the VAST dev texts, an
#               evaluation set of MODEL.md, out of training; a changed list needs a new WORK or labels.jsonl
#               removed, as train_stance.py refuses to resume with other soft data)
#   DATA (../shared/data), WORK (checkpoints/distil), THREADS (1), SEED (21), SOFT_WEIGHT (1.0),
#   KD_WEIGHT (0.5; 0 = no distillation on the gold texts), KD_TEMP (2.0),
#   LABEL_THREADS (the teacher's threads in steps 4 and 4b; default THREADS)
set -euo pipefail
usage="usage: distil_stance.sh OUT_DIR | --smoke DIR"
SMOKE=0
if [ "${1:-}" = "--smoke" ]; then
  SMOKE=1
  WORK=$(realpath -m "${2:?$usage}")
  OUT=$WORK/model
else
  OUT=$(realpath -m "${1:?$usage}")
fi
cd "$(dirname "$0")/../.."
PY=${PY:-.venv-train/bin/python}
SG=${STANCEGRAPH:-target/release/stancegraph}
TEACHER=${TEACHER:-models/stance-accurate}
BASE=${STANCEGRAPH_MINILM_BASE:-checkpoints/bases/minilm-uncased}
DATA=${DATA:-../shared/data}
WORK=${WORK:-checkpoints/distil}
THREADS=${THREADS:-1}
SEED=${SEED:-21}
SOFT_WEIGHT=${SOFT_WEIGHT:-1.0}
KD_WEIGHT=${KD_WEIGHT:-0.5}
KD_TEMP=${KD_TEMP:-2.0}
LABEL_THREADS=${LABEL_THREADS:-$THREADS}
CORPORA=${CORPORA:-reddit vast}

fail() { echo "distil_stance.sh: $*" >&2; exit 2; }
[ -f "$TEACHER/config.json" ] || fail "no teacher in $TEACHER: train it (scripts/train/train_stance_mpnet.sh) or set TEACHER=DIR"
[ -x "$SG" ] || fail "no stancegraph binary at $SG: \`make build\`, or set STANCEGRAPH=PATH"
if [ ! -d "$DATA/stance/reddit-trump" ] || [ ! -f "$DATA/stance/vast/dev.csv" ]; then
  fail "the comment corpora are not in $DATA/stance"
fi
[ -d "$BASE" ] || bash scripts/train/fetch_bases.sh minilm
mkdir -p "$WORK/corpora" "$WORK/runs"

# 1. corpora (written once; the smoke takes the first documents of each), 2. runs, 3. pairs
corpus() {  # NAME SMOKE_DOCS CONVERTER ARGS...
  local name=$1 head=$2 f="$WORK/corpora/$1.jsonl"
  shift 2
  [ -s "$f" ] && return
  "$PY" "$@" > "$f.tmp"
  if [ "$SMOKE" = 1 ]; then head -n "$head" "$f.tmp" > "$f"; rm "$f.tmp"; else mv "$f.tmp" "$f"; fi
}

PAIRS=()
for name in $CORPORA; do
  case $name in
    reddit) corpus reddit 4 scripts/data/reddit_to_jsonl.py "$DATA/stance/reddit-trump" ;;
    vast) corpus vast 16 scripts/data/vast_to_jsonl.py "$DATA/stance/vast/dev.csv" ;;
    *) fail "CORPORA: unknown corpus $name (reddit, vast)" ;;
  esac
  # 2. the pipeline's questions (a rerun costs nothing: the documents are unchanged)
  "$SG" run "$WORK/corpora/$name.jsonl" --out "$WORK/runs/$name" --quiet --threads "$THREADS" --stance baseline
  # 3. the pairs, rebuilt and checked (seconds; always rewritten)
  limit=()
  [ "$SMOKE" = 1 ] && limit=(--limit 20)
  "$PY" scripts/train/distil_pairs.py --docs "$WORK/corpora/$name.jsonl" --run "$WORK/runs/$name" --corpus "$name" \
    --exclude data/comment-dev/pairs.tsv --out "$WORK/pairs-$name.jsonl" ${limit[@]+"${limit[@]}"}
  PAIRS+=("$WORK/pairs-$name.jsonl")
done

# 4. the teacher's soft labels (resumable)
limit=()
[ "$SMOKE" = 1 ] && limit=(--limit 40)
"$PY" scripts/train/teacher_label.py --model "$TEACHER" --pairs "$(IFS=,; echo "${PAIRS[*]}")" --out "$WORK/labels.jsonl" \
  --threads "$LABEL_THREADS" --bf16 ${limit[@]+"${limit[@]}"}

# 4b. the teacher's logits for the gold training items; GOLD[@] are step 5's data
# arguments, so that the items are the ones the student trains on. Sets KD[@].
KD=()
gold_labels() {
  [ "$KD_WEIGHT" != 0 ] || return 0
  [ -s "$WORK/pairs-gold.jsonl" ] || "$PY" scripts/train/train_stance.py "${GOLD[@]}" --ckpt "$WORK/dump" \
    --dump-train "$WORK/pairs-gold.jsonl"
  "$PY" scripts/train/teacher_label.py --model "$TEACHER" --pairs "$WORK/pairs-gold.jsonl" --out "$WORK/labels-gold.jsonl" \
    --threads "$LABEL_THREADS" --bf16
  KD=(--teacher "$WORK/labels-gold.jsonl" --kd-weight "$KD_WEIGHT" --kd-temp "$KD_TEMP")
}

# 5. the student, 6. its export
if [ "$SMOKE" = 1 ]; then
  rm -rf "$WORK/student"
  GOLD=(--base "$BASE" --examples tests/fixtures/stance/smoke.jsonl --mode both --init-seed "$SEED")
  gold_labels
  "$PY" scripts/train/train_stance.py "${GOLD[@]}" --ckpt "$WORK/student" \
    --soft "$WORK/labels.jsonl" --soft-weight "$SOFT_WEIGHT" --epochs 1 --batch 8 --lr 5e-5 --bf16 \
    --threads "$THREADS" --save-every 100 --eval-every 3 --max-steps 3 --no-test ${KD[@]+"${KD[@]}"}
  "$PY" scripts/export/export_stance.py --src "$WORK/student/best" --out "$OUT"
  exit 0
fi
GOLD=(--base "$BASE" --data "$DATA/stance" --mode both --sets newsmtsc,pstance,semeval --init-seed "$SEED")
gold_labels
"$PY" scripts/train/train_stance.py "${GOLD[@]}" --ckpt "$WORK/student-$SEED" \
  --epochs 3 --lr 5e-5 --batch 16 --bf16 --threads "$THREADS" \
  --save-every 100 --eval-every 600 --soft "$WORK/labels.jsonl" --soft-weight "$SOFT_WEIGHT" ${KD[@]+"${KD[@]}"}
"$PY" scripts/export/export_stance.py --src "$WORK/student-$SEED/best" --out "$OUT"
