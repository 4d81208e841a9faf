#!/usr/bin/env bash
# NER throughput, side by side in one run: our Rust binary vs the Python
# transformers pipeline on the same weights and texts, interleaved ROUNDS
# times; prints each run and the medians. Needs the training venv for Python
# (scripts/setup_train_env.sh).
#   usage: scripts/bench_ner.sh CORPUS_DIR [LIMIT_DOCS] [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
CORPUS=${1:?corpus dir}
LIMIT=${2:-150}
ROUNDS=${3:-3}
THREADS=${THREADS:-2}
PY=${PY:-.venv-train/bin/python}
BIN=target/release/stancegraph
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
"$BIN" bench ner "$CORPUS" --limit "$LIMIT" --threads "$THREADS" --texts-out "$OUT/texts.jsonl" > /dev/null
for r in $(seq 1 "$ROUNDS"); do
  "$BIN" bench ner "$CORPUS" --limit "$LIMIT" --threads "$THREADS" | tee -a "$OUT/rust.jsonl"
  "$PY" scripts/bench_ner_python.py "$OUT/texts.jsonl" --threads "$THREADS" 2>/dev/null | tee -a "$OUT/python.jsonl"
done
"$PY" - "$OUT/rust.jsonl" "$OUT/python.jsonl" <<'PYEOF'
import json, statistics, sys
def med(path, key):
    return statistics.median(json.loads(l)[key] for l in open(path))
r, p = sys.argv[1], sys.argv[2]
rw, pw = med(r, "words_per_s"), med(p, "words_per_s")
print(json.dumps({"median_words_per_s": {"rust": rw, "python": pw}, "ratio_rust_over_python": round(rw / pw, 2),
                  "median_peak_rss_mb": {"rust": med(r, "peak_rss_mb"), "python": med(p, "peak_rss_mb")}}))
PYEOF
