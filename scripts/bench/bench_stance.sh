#!/usr/bin/env bash
# Stance throughput in pairs/s (medians of ROUNDS runs): news sentences
# (NewsMTSC devtest_mt), long reader comments (VAST dev) and Reddit replies
# with the comment they answer (reddit-trump val: the conversation makes the
# input longer for a model that reads it), each a (text, target) pair
# classified by the default model exactly as in a pipeline run
# (STANCE_MODEL=fast, accurate or a model directory for another).
#   usage: scripts/bench/bench_stance.sh SHARED_DATA_DIR [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/../.."
DATA=${1:?shared data dir}
ROUNDS=${2:-3}
THREADS=${THREADS:-2}
STANCE_MODEL=${STANCE_MODEL:-comments}   # comments, fast, accurate or a model directory
BIN=${BIN:-${CARGO_TARGET_DIR:-target}/release/stancegraph}
for set in "newsmtsc $DATA/stance/newsmtsc/devtest_mt.jsonl" "vast $DATA/stance/vast/dev.csv" \
  "reddit-trump $DATA/stance/reddit-trump/reddit_trump_val.csv"; do
  read -r fmt file <<<"$set"
  for r in $(seq 1 "$ROUNDS"); do
    "$BIN" eval stance --format "$fmt" "$file" --stance-model "$STANCE_MODEL" --threads "$THREADS" | tail -n 1
  done | python3 -c "
import json, statistics, sys
runs = [json.loads(l) for l in sys.stdin]
rates = [r['n'] / r['seconds'] for r in runs]
print(json.dumps({'set': '$fmt', 'pairs': runs[0]['n'], 'median_pairs_per_s': round(statistics.median(rates), 1)}))"
done
