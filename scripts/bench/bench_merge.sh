#!/usr/bin/env bash
# The cost of the Slurm merge step vs the size of the corpus store it merges into. Builds one
# corpus store by growing nights of `stancegraph run` over 1/4, 1/2 and all of the PolNeAR
# articles and Reddit threads of ../shared (the model work is done once), and after each size
# times `stancegraph merge` of one small night (examples/sample as 4 shard stores, made once)
# into a copy of that store: whole-process wall time and peak RSS (GNU time), RUNS times each,
# and the merge's own stage seconds (summary.json). Prints one JSON line per size.
#   usage: scripts/bench/bench_merge.sh SHARED_DATA_DIR   (make bench-merge; THREADS, RUNS)
set -euo pipefail
cd "$(dirname "$0")/../.."
DATA=$(cd "${1:?usage: bench_merge.sh SHARED_DATA_DIR}" && pwd)
BIN=$(realpath "${BIN:-target/release/stancegraph}")
THREADS=${THREADS:-2}
RUNS=${RUNS:-3}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
command -v /usr/bin/time >/dev/null || { echo "bench-merge: needs GNU time (apt-get install time)" >&2; exit 2; }

mapfile -t articles < <(find "$DATA/corpus/polnear" -maxdepth 1 -name '*.txt' | sort)
python3 scripts/data/reddit_to_jsonl.py "$DATA/stance/reddit-trump" >"$WORK/threads.jsonl"
mapfile -t threads <"$WORK/threads.jsonl"

# The night: examples/sample as 4 shard stores.
for k in 0 1 2 3; do
  "$BIN" run examples/sample --shard "$k/4" --store "$WORK/night/shard-$k.db" --threads "$THREADS" --quiet
done

for part in 4 2 1; do
  # Grow the corpus store to 1/part of the corpus (a night of run: only the new documents cost).
  n_articles=$((${#articles[@]} / part)) n_threads=$((${#threads[@]} / part))
  mkdir -p "$WORK/corpus/polnear"
  for a in "${articles[@]:0:n_articles}"; do ln -sf "$a" "$WORK/corpus/polnear/"; done
  printf '%s\n' "${threads[@]:0:n_threads}" >"$WORK/corpus/threads.jsonl"
  "$BIN" run "$WORK/corpus" --out "$WORK/store" --threads "$THREADS" --quiet
  documents=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["documents"])' "$WORK/store/summary.json")
  walls=()
  for _ in $(seq "$RUNS"); do
    rm -rf "$WORK/merged" && mkdir "$WORK/merged"
    cp "$WORK/store/stancegraph.db" "$WORK/merged/"
    /usr/bin/time -f '%e %M' -o "$WORK/time" \
      "$BIN" merge "$WORK"/night/shard-*.db --out "$WORK/merged" --threads "$THREADS" --quiet
    read -r wall rss <"$WORK/time"
    walls+=("$wall")
  done
  python3 - "$documents" "$rss" "$WORK/merged/summary.json" "${walls[@]}" <<'EOF'
import json, statistics, sys
documents, rss, summary, walls = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], [float(w) for w in sys.argv[4:]]
s = json.load(open(summary))
print(json.dumps({"store_documents": documents, "mentions": s["mentions"], "entities": s["entities"],
                  "merge_wall_s": walls, "median_s": statistics.median(walls), "peak_rss_mib": rss // 1024,
                  "seconds": s["seconds"]}))
EOF
done
