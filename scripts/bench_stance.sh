#!/usr/bin/env bash
# Stance throughput in pairs/s (medians of ROUNDS runs): news sentences
# (NewsMTSC devtest_mt) and long reader comments (VAST dev), each a (text,
# target) pair classified by the shipped model exactly as in a pipeline run
# (STANCE_MODEL=accurate for models/stance-accurate).
#   usage: scripts/bench_stance.sh SHARED_DATA_DIR [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${1:?shared data dir}
ROUNDS=${2:-3}
THREADS=${THREADS:-2}
STANCE_MODEL=${STANCE_MODEL:-fast}   # fast, accurate or a model directory
BIN=${BIN:-${CARGO_TARGET_DIR:-target}/release/stancegraph}
for set in "newsmtsc $DATA/stance/newsmtsc/devtest_mt.jsonl" "vast $DATA/stance/vast/dev.csv"; do
  read -r fmt file <<<"$set"
  for r in $(seq 1 "$ROUNDS"); do
    "$BIN" eval stance --format "$fmt" "$file" --stance-model "$STANCE_MODEL" --threads "$THREADS" | tail -n 1
  done | python3 -c "
import json, statistics, sys
runs = [json.loads(l) for l in sys.stdin]
rates = [r['n'] / r['seconds'] for r in runs]
print(json.dumps({'set': '$fmt', 'pairs': runs[0]['n'], 'median_pairs_per_s': round(statistics.median(rates), 1)}))"
done
