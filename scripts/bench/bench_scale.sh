#!/usr/bin/env bash
# Years of nightly runs: what a night costs, and how big its default graph is,
# as the archive grows. For each size S (documents in the store):
#   1. build: a synthetic archive of S documents, made by re-delivering the real
#      PolNeAR texts under new ids (synth-0000001, ...), DOCS_PER_DAY a day up to
#      the day before the night (so the archive spans S / DOCS_PER_DAY days),
#      in files of 1,000 documents; one `stancegraph run` stores it (identical
#      texts are read by NER once, so the build is mostly store and linking),
#      into a copy of the previous size's built store when that is smaller, so
#      that its documents and NER output are not made again (the new documents
#      pass --relink-after, so that run links the whole store in full);
#   2. night: NIGHT_DOCS new articles (PolNeAR texts with their paragraphs in
#      reverse order, so NER reads them for real) dated the next day, one
#      `stancegraph run` on that store: wall time and peak RSS (GNU time),
#      the default graph.gexf's size and node/edge counts, the window it kept;
#   3. all: `stancegraph export --all` of the same store: wall time, peak RSS
#      and graph.gexf's size (the whole archive on demand).
# Prints one JSON line per size, then a Markdown table.
#   usage: scripts/bench/bench_scale.sh POLNEAR_DIR [SIZE...]   (default sizes 1000 10000 100000)
#   env: DOCS_PER_DAY (100), NIGHT_DOCS (10), THREADS (2), STANCE (baseline: the lexicon,
#        no stance model load; PolNeAR has no comments, so no stance work either way),
#        WORK (a folder to keep; default a temporary one, removed at the end)
set -euo pipefail
cd "$(dirname "$0")/../.."
CORPUS=$(cd "${1:?PolNeAR corpus dir}" && pwd)
shift
SIZES=("$@")
[ ${#SIZES[@]} -gt 0 ] || SIZES=(1000 10000 100000)
DOCS_PER_DAY=${DOCS_PER_DAY:-100}
NIGHT_DOCS=${NIGHT_DOCS:-10}
THREADS=${THREADS:-2}
STANCE=${STANCE:-baseline}
BIN=${BIN:-$PWD/target/release/stancegraph}
if [ -z "${WORK:-}" ]; then
  WORK=$(mktemp -d)
  trap 'rm -rf "$WORK"' EXIT
fi
mkdir -p "$WORK"
NIGHT_DAY=2026-12-07

# synth SIZE DIR: the archive's JSONL files; night DIR: the night's articles.
python3 - "$CORPUS" "$WORK" "$DOCS_PER_DAY" "$NIGHT_DOCS" "$NIGHT_DAY" "${SIZES[@]}" <<'PY'
import datetime, json, os, pathlib, sys
corpus, work, per_day, night_docs, night_day = sys.argv[1], pathlib.Path(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
sizes = [int(s) for s in sys.argv[6:]]
texts = []
for p in sorted(pathlib.Path(corpus).glob("*.txt")):
    text = p.read_text(encoding="utf-8").strip()
    if text:
        texts.append((p.stem, text))
end = datetime.date.fromisoformat(night_day) - datetime.timedelta(days=1)
for size in sizes:
    out = work / f"archive-{size}"
    if out.exists():
        continue
    out.mkdir(parents=True)
    days = (size + per_day - 1) // per_day
    for chunk in range(0, size, 1000):
        with open(out / f"part-{chunk // 1000:05d}.jsonl", "w", encoding="utf-8") as f:
            for i in range(chunk, min(size, chunk + 1000)):
                stem, text = texts[i % len(texts)]
                day = end - datetime.timedelta(days=days - 1 - i // per_day)
                title = text.split("\n", 1)[0][:200]
                f.write(json.dumps({"id": f"synth-{i:07d}", "date": day.isoformat(), "title": title, "text": text}) + "\n")
night = work / "night"
if not night.exists():
    night.mkdir()
    step = max(1, len(texts) // night_docs)
    with open(night / "night.jsonl", "w", encoding="utf-8") as f:
        for k in range(night_docs):
            stem, text = texts[(k * step) % len(texts)]
            paragraphs = [p for p in text.split("\n") if p.strip()]
            f.write(json.dumps({"id": f"night-{k:03d}", "date": night_day, "title": paragraphs[-1][:200],
                                "text": "\n\n".join(reversed(paragraphs))}) + "\n")
PY

# timed FILE CMD...: runs CMD under GNU time, writes "seconds peak_kb" to FILE
timed() {
  local file=$1; shift
  /usr/bin/time -f '%e %M' -o "$file" "$@"
}

: > "$WORK/results.jsonl"
previous="" previous_size=0
for size in "${SIZES[@]}"; do
  dir="$WORK/store-$size"
  rm -rf "$dir" "$WORK/all-$size"
  mkdir -p "$dir"
  from=""
  if [ -n "$previous" ] && [ "$previous_size" -lt "$size" ]; then
    cp "$previous" "$dir/stancegraph.db"
    from=" (into a copy of the $previous_size-document store)"
  fi
  echo ">> $size documents: building the archive$from" >&2
  timed "$WORK/build.time" "$BIN" run "$WORK/archive-$size" --out "$dir" --threads "$THREADS" \
    --stance "$STANCE" --quiet
  previous="$WORK/built-$size.db" previous_size=$size
  cp "$dir/stancegraph.db" "$previous"
  echo ">> $size documents: the night" >&2
  timed "$WORK/night.time" "$BIN" run "$WORK/night" --out "$dir" --threads "$THREADS" --stance "$STANCE" --quiet
  echo ">> $size documents: export --all" >&2
  timed "$WORK/all.time" "$BIN" export --all --out "$WORK/all-$size" --store "$dir/stancegraph.db" --quiet
  python3 - "$size" "$dir" "$WORK" <<'PY' | tee -a "$WORK/results.jsonl"
import json, os, sys
size, out, work = int(sys.argv[1]), sys.argv[2], sys.argv[3]
def timing(name):
    secs, kb = open(os.path.join(work, name + ".time")).read().split()[-2:]
    return float(secs), round(int(kb) / 1024, 1)
s = json.load(open(os.path.join(out, "summary.json")))
mb = lambda p: round(os.path.getsize(p) / 2**20, 2)
build, night, full = timing("build"), timing("night"), timing("all")
print(json.dumps({
    "documents": size,
    "build_seconds": build[0], "build_peak_rss_mb": build[1],
    "night_seconds": night[0], "night_peak_rss_mb": night[1],
    "night_stage_seconds": s["seconds"],
    "window": s["coverage"]["text"],
    "graph_mb": mb(os.path.join(out, "graph.gexf")),
    "graph": s["graphs"]["graph"], "graph_left_out": s["graphs"]["left_out_text"],
    "store_mb": mb(os.path.join(out, "stancegraph.db")),
    "export_all_seconds": full[0], "export_all_peak_rss_mb": full[1],
    "export_all_graph_mb": mb(os.path.join(work, f"all-{size}", "graph.gexf")),
}))
PY
  rm -rf "$WORK/all-$size"
done

python3 - "$WORK/results.jsonl" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
print("| documents in the store | night time | night peak RSS | default graph.gexf (nodes, edges) | export --all time | export --all peak RSS | export --all graph.gexf |")
print("|---|---|---|---|---|---|---|")
for r in rows:
    g = r["graph"]
    print(f"| {r['documents']:,} | {r['night_seconds']:.1f} s | {r['night_peak_rss_mb']:.0f} MiB | "
          f"{r['graph_mb']} MB ({g['nodes']:,}, {g['edges']:,}) | {r['export_all_seconds']:.1f} s | "
          f"{r['export_all_peak_rss_mb']:.0f} MiB | {r['export_all_graph_mb']} MB |")
PY
