#!/usr/bin/env bash
# `make bench`: whole-process cost of our `stancegraph run` side by side with
# spaCy en_core_web_md (NER only) on the very same texts, interleaved ROUNDS
# times. Two inputs:
#   polnear  the first ARTICLES PolNeAR articles (sorted file names), copied
#            to a temporary folder;
#   reddit   the Reddit threads of ../shared, converted to JSONL by
#            scripts/data/reddit_to_jsonl.py (into the temporary folder; the data
#            is never copied into the repository).
# Our side is a full run (NER, linking, stance, exports) into a fresh --out
# each round; the spaCy side (scripts/bench/bench_spacy.py, venv from
# scripts/bench/setup_bench_env.sh) is NER only, nlp.pipe(n_process=THREADS), over
# the article and comment texts our binary reads (written out by
# `stancegraph bench ner --texts-only`). Words are whitespace-separated
# tokens of those texts, the same count for both.
# Each run: wall time, user and system CPU time (and their sum), peak RSS (GNU time -v). For
# spaCy with n_process > 1 the peak RSS is that of its largest process, not
# the sum. Prints one JSON line per run, then the medians and the ratios
# ours/spaCy. Medians mean something only on an otherwise idle machine.
#   usage: scripts/bench/bench_e2e.sh SHARED_DATA_DIR
#   ROUNDS (3), ARTICLES (200), THREADS (2), SETS ("polnear reddit"); PRECISIONS="fp32 int8"
#   times our run at each --precision side by side in every round; NO_SPACY=1 leaves spaCy out.
set -euo pipefail
cd "$(dirname "$0")/../.."
DATA=$(cd "${1:?shared data dir}" && pwd)
ROUNDS=${ROUNDS:-3}
ARTICLES=${ARTICLES:-200}
THREADS=${THREADS:-2}
# --precision values of our runs, each timed in every round (stack "ours" for one value,
# "ours:VALUE" for several), e.g. PRECISIONS="fp32 int8" to compare them side by side.
PRECISIONS=${PRECISIONS:-auto}
SETS=${SETS:-polnear reddit}
BIN=${BIN:-${CARGO_TARGET_DIR:-target}/release/stancegraph}
PY=${PY:-.venv-bench/bin/python}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

mkdir -p "$WORK/in/polnear" "$WORK/in/reddit"
mapfile -t ALL < <(find "$DATA/corpus/polnear" -name '*.txt' | sort)
cp -t "$WORK/in/polnear" "${ALL[@]:0:$ARTICLES}"
python3 scripts/data/reddit_to_jsonl.py "$DATA/stance/reddit-trump" > "$WORK/in/reddit/reddit.jsonl"
for set in $SETS; do
  "$BIN" bench ner "$WORK/in/$set" --texts-only --texts-out "$WORK/$set.texts.jsonl" > /dev/null
done

# timed STACK SET COMMAND... : one run under GNU time, one JSON line
timed() {
  local stack=$1 set=$2; shift 2
  /usr/bin/time -v -o "$WORK/time" "$@" > "$WORK/stdout"
  python3 - "$stack" "$set" "$WORK/time" "$WORK/stdout" "$WORK/$set.texts.jsonl" "$WORK/out/summary.json" <<'PY'
import json, os, sys
stack, set_, timef, stdout, texts, summary = sys.argv[1:]
t = {}
for line in open(timef):
    k, _, v = line.strip().rpartition(": ")
    t[k] = v
def seconds(hms):
    s = 0.0
    for part in hms.split(":"):
        s = s * 60 + float(part)
    return s
wall = seconds(t["Elapsed (wall clock) time (h:mm:ss or m:ss)"])
user, sys_ = float(t["User time (seconds)"]), float(t["System time (seconds)"])
words = sum(len(json.loads(l).split()) for l in open(texts, encoding="utf-8") if l.strip())
run = {"stack": stack, "set": set_, "wall_s": wall, "words": words, "words_per_s": round(words / wall),
       "user_s": user, "sys_s": sys_, "cpu_s": round(user + sys_, 2), "cpu_over_wall": round((user + sys_) / wall, 2),
       "sys_share_of_cpu": round(sys_ / max(user + sys_, 1e-9), 3),
       "peak_rss_mb": round(int(t["Maximum resident set size (kbytes)"]) / 1024, 1)}
if stack.startswith("ours"):
    s = json.load(open(summary))
    run["ner_s"] = s["seconds"].get("ner")
    run["stance_s"] = s["seconds"].get("stance")
    run["ner_padding_share"] = s.get("ner_padding_share")
    run["stance_padding_share"] = s.get("stance_padding_share")
    run["stance_pairs"] = s["work"]["stance_pairs"]
else:
    out = json.loads(open(stdout).read().strip().splitlines()[-1])
    run["ner_only_s"] = out["ner_seconds"]
    run["entities"] = out["entities"]
print(json.dumps(run))
PY
}

: > "$WORK/runs.jsonl"
for _ in $(seq 1 "$ROUNDS"); do
  for set in $SETS; do
    for precision in $PRECISIONS; do
      stack=ours; [ "$PRECISIONS" = "$precision" ] || stack="ours:$precision"
      rm -rf "$WORK/out"
      timed "$stack" "$set" "$BIN" run "$WORK/in/$set" --out "$WORK/out" --threads "$THREADS" --precision "$precision" \
        --quiet | tee -a "$WORK/runs.jsonl"
    done
    [ -n "${NO_SPACY:-}" ] || timed spacy "$set" "$PY" scripts/bench/bench_spacy.py "$WORK/$set.texts.jsonl" --n-process "$THREADS" | tee -a "$WORK/runs.jsonl"
  done
done

python3 - "$WORK/runs.jsonl" <<'PY'
import json, statistics, sys
runs = [json.loads(l) for l in open(sys.argv[1])]
keys = ["wall_s", "words_per_s", "user_s", "sys_s", "cpu_s", "peak_rss_mb"]
med = {}
for r in runs:
    med.setdefault((r["set"], r["stack"]), []).append(r)
out = {"rounds": max(len(v) for v in med.values()), "medians": {}, "ours_over_spacy": {}}
for (set_, stack), rs in sorted(med.items()):
    m = {k: round(statistics.median(r[k] for r in rs), 2) for k in keys}
    m["words"] = rs[0]["words"]
    if stack.startswith("ours"):
        m["ner_padding_share"] = rs[0]["ner_padding_share"]
        m["stance_padding_share"] = rs[0]["stance_padding_share"]
    out["medians"].setdefault(set_, {})[stack] = m
for set_, by in out["medians"].items():
    for stack, o in by.items():
        if stack.startswith("ours") and "spacy" in by:
            s = by["spacy"]
            name = set_ if stack == "ours" else f"{set_} {stack}"
            out["ours_over_spacy"][name] = {k: round(o[k] / s[k], 2) if s[k] else None for k in keys}
print(json.dumps(out, indent=1))
print("ours = whole `stancegraph run` (NER, linking, stance, exports); spaCy = NER only. "
      "spaCy peak RSS is its largest process. Medians only from an idle machine.")
PY
