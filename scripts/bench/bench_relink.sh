#!/usr/bin/env bash
# What a night's linking costs on a store of a few hundred articles: a full
# relink against the incremental night (issue 28, item 1).
#   1. archive: DOCS documents made by re-delivering the first TEXTS PolNeAR
#      texts under new ids (relink-0000000, ...), dated the days before the
#      night; one `stancegraph run` stores them (NER reads each text once);
#   2. night: NIGHT_DOCS new articles (PolNeAR texts with their paragraphs
#      reversed, so NER reads them for real), run on a copy of the store,
#      once incrementally (the default) and once with `--relink`, REPEAT
#      times each; prints the summary's stage seconds (link, stance, total).
#   usage: scripts/bench/bench_relink.sh POLNEAR_DIR
#   env: MODES ("incremental relink"; a binary without --relink: "before"), DOCS (300), TEXTS (100), NIGHT_DOCS (10), REPEAT (3), THREADS (2),
#        BIN (target/release/stancegraph), WORK (a folder to keep; default temporary)
set -euo pipefail
cd "$(dirname "$0")/../.."
CORPUS=$(cd "${1:?PolNeAR corpus dir}" && pwd)
DOCS=${DOCS:-300}
TEXTS=${TEXTS:-100}
NIGHT_DOCS=${NIGHT_DOCS:-10}
REPEAT=${REPEAT:-3}
THREADS=${THREADS:-2}
BIN=${BIN:-$PWD/target/release/stancegraph}
if [ -z "${WORK:-}" ]; then
  WORK=$(mktemp -d)
  trap 'rm -rf "$WORK"' EXIT
fi
mkdir -p "$WORK"

python3 - "$CORPUS" "$WORK" "$DOCS" "$TEXTS" "$NIGHT_DOCS" <<'PY'
import datetime, json, pathlib, sys
corpus, work = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
docs, n_texts, night_docs = int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
texts = [t for t in (p.read_text(encoding="utf-8").strip() for p in sorted(corpus.glob("*.txt"))) if t]
night_day = datetime.date(2026, 12, 7)
(work / "archive").mkdir(exist_ok=True)
with open(work / "archive" / "archive.jsonl", "w", encoding="utf-8") as f:
    for i in range(docs):
        text = texts[i % n_texts]
        day = night_day - datetime.timedelta(days=1 + i // 10)
        f.write(json.dumps({"id": f"relink-{i:07d}", "date": day.isoformat(), "title": text.split("\n", 1)[0][:200],
                            "text": text}) + "\n")
(work / "night").mkdir(exist_ok=True)
with open(work / "night" / "night.jsonl", "w", encoding="utf-8") as f:
    for k in range(night_docs):
        paragraphs = [p for p in texts[n_texts + k].split("\n") if p.strip()]
        f.write(json.dumps({"id": f"night-{k:03d}", "date": night_day.isoformat(), "title": paragraphs[-1][:200],
                            "text": "\n\n".join(reversed(paragraphs))}) + "\n")
PY

rm -rf "$WORK/store"
"$BIN" run "$WORK/archive" --out "$WORK/store" --threads "$THREADS" --stance-model baseline --quiet
# NER of the night once, so that every timed night reads the same stored spans.
rm -rf "$WORK/warm"
cp -r "$WORK/store" "$WORK/warm"
"$BIN" run "$WORK/night" --out "$WORK/warm" --threads "$THREADS" --stance-model baseline --quiet
for mode in ${MODES:-incremental relink}; do
  for r in $(seq "$REPEAT"); do
    rm -rf "$WORK/try"
    cp -r "$WORK/store" "$WORK/try"
    sqlite3 "$WORK/try/stancegraph.db" "ATTACH '$WORK/warm/stancegraph.db' AS w;
      INSERT OR IGNORE INTO ner_spans SELECT * FROM w.ner_spans;"
    flag=(); [ "$mode" = relink ] && flag=(--relink)
    "$BIN" run "$WORK/night" --out "$WORK/try" --threads "$THREADS" --stance-model baseline --quiet "${flag[@]}"
    python3 - "$mode" "$WORK/try/summary.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[2]))
sec = s["seconds"]
print(json.dumps({"mode": sys.argv[1], "documents": s["coverage"]["archive_documents"], "link": sec.get("link"),
                  "stance": sec.get("stance"), "total": sec.get("total"), "relinked": s["work"].get("relinked"),
                  "linking": s["work"].get("linking")}))
PY
  done
done
