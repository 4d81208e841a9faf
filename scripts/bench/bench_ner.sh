#!/usr/bin/env bash
# NER throughput, side by side in one run: our Rust binary vs the Python
# transformers pipeline on the same weights and texts, interleaved ROUNDS
# times; prints each run and the medians. Needs the training venv for Python
# (scripts/train/setup_train_env.sh).
#   usage: scripts/bench/bench_ner.sh CORPUS_DIR [LIMIT_DOCS] [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/../.."
CORPUS=${1:?corpus dir}
LIMIT=${2:-40}
ROUNDS=${3:-3}
THREADS=${THREADS:-2}
PY=${PY:-.venv-train/bin/python}
BIN=${BIN:-${CARGO_TARGET_DIR:-target}/release/stancegraph}
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
"$BIN" bench ner "$CORPUS" --limit "$LIMIT" --threads "$THREADS" --texts-out "$OUT/texts.jsonl" > /dev/null
# Each round: our binary at its default precision (bf16 where the CPU has it
# natively), our binary in fp32, and Python transformers (fp32, its default).
for r in $(seq 1 "$ROUNDS"); do
  "$BIN" bench ner "$CORPUS" --limit "$LIMIT" --threads "$THREADS" | tee -a "$OUT/rust.jsonl"
  "$BIN" bench ner "$CORPUS" --limit "$LIMIT" --threads "$THREADS" --precision fp32 | tee -a "$OUT/rust_fp32.jsonl"
  "$PY" scripts/bench/bench_ner_python.py "$OUT/texts.jsonl" --threads "$THREADS" 2>/dev/null | tee -a "$OUT/python.jsonl"
done
"$PY" - "$OUT" <<'PYEOF'
import json, statistics, sys
def med(name, key):
    return statistics.median(json.loads(l)[key] for l in open(f"{sys.argv[1]}/{name}.jsonl"))
names = ["rust", "rust_fp32", "python"]
w = {n: med(n, "words_per_s") for n in names}
print(json.dumps({"median_words_per_s": w,
                  "ratio_over_python": {n: round(w[n] / w["python"], 2) for n in names[:2]},
                  "median_peak_rss_mb": {n: med(n, "peak_rss_mb") for n in names}}))
PYEOF
