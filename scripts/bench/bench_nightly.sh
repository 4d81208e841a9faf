#!/usr/bin/env bash
# Nightly cost and memory, measured with whole-process wall time and peak RSS
# (GNU time) of `stancegraph run`:
#   1. full:  a store built from nothing over the whole corpus (FULL_RUNS times);
#   2. night: that store plus 1 % new documents (copies of 1 % of the articles
#      under new ids with their paragraphs in reverse order, so their texts are
#      new to the NER model), NIGHT_RUNS times, each on a fresh copy of the store;
#   3. 4x:    a store built from nothing over the corpus four times over (three
#      copies under new ids; identical texts are read by NER once, so this
#      measures what grows with the corpus: store, linking, exports).
# Prints each run and the medians as JSON.
#   usage: scripts/bench/bench_nightly.sh CORPUS_DIR
set -euo pipefail
cd "$(dirname "$0")/../.."
CORPUS=$(cd "${1:?corpus dir}" && pwd)
FULL_RUNS=${FULL_RUNS:-3}
NIGHT_RUNS=${NIGHT_RUNS:-3}
X4_RUNS=${X4_RUNS:-1}
THREADS=${THREADS:-2}
BIN=$PWD/target/release/stancegraph
WORK=${WORK:-$(mktemp -d)}
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/new" "$WORK/x4"

mapfile -t ARTICLES < <(find "$CORPUS" -name '*.txt' | sort)
N=${#ARTICLES[@]}
NEW=$(( (N + 99) / 100 ))
for i in $(seq 0 $((NEW - 1))); do
  src=${ARTICLES[$((i * N / NEW))]}
  tac "$src" > "$WORK/new/night_$(basename "$src")"
done
for k in 1 2 3; do
  mkdir -p "$WORK/x4/copy$k"
  for a in "${ARTICLES[@]}"; do cp "$a" "$WORK/x4/copy$k/copy${k}_$(basename "$a")"; done
done

# timed LABEL OUT INPUT... : one run, one JSON line
timed() {
  local label=$1 out=$2; shift 2
  /usr/bin/time -f '%e %M' -o "$WORK/time" "$BIN" run "$@" --out "$out" --threads "$THREADS" --quiet
  read -r secs kb < "$WORK/time"
  python3 - "$label" "$secs" "$kb" "$out/summary.json" <<'PY'
import json, sys
label, secs, kb, summary = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
s = json.load(open(summary))
print(json.dumps({"run": label, "seconds": secs, "peak_rss_mb": round(kb / 1024, 1),
                  "documents": s["documents"], "work": s["work"]}))
PY
}

: > "$WORK/runs.jsonl"
for r in $(seq 1 "$FULL_RUNS"); do
  rm -rf "$WORK/full"
  timed full "$WORK/full" "$CORPUS" | tee -a "$WORK/runs.jsonl"
done
for r in $(seq 1 "$NIGHT_RUNS"); do
  rm -rf "$WORK/night"
  mkdir -p "$WORK/night"
  cp "$WORK/full/stancegraph.db" "$WORK/night/stancegraph.db"
  timed night "$WORK/night" "$CORPUS" "$WORK/new" | tee -a "$WORK/runs.jsonl"
done
for r in $(seq 1 "$X4_RUNS"); do
  rm -rf "$WORK/big"
  timed x4 "$WORK/big" "$CORPUS" "$WORK/x4" | tee -a "$WORK/runs.jsonl"
done

python3 - "$WORK/runs.jsonl" <<'PY'
import json, statistics, sys
runs = [json.loads(l) for l in open(sys.argv[1])]
def med(kind, key):
    values = [r[key] for r in runs if r["run"] == kind]
    return statistics.median(values) if values else None
ratio = lambda a, b: round(a / b, 4) if a is not None and b else None
print(json.dumps({
    "median_seconds": {k: med(k, "seconds") for k in ("full", "night", "x4")},
    "night_over_full": ratio(med("night", "seconds"), med("full", "seconds")),
    "median_peak_rss_mb": {k: med(k, "peak_rss_mb") for k in ("full", "night", "x4")},
    "x4_over_full_rss": ratio(med("x4", "peak_rss_mb"), med("full", "peak_rss_mb")),
    "runs": {k: sum(r["run"] == k for r in runs) for k in ("full", "night", "x4")},
}))
PY
