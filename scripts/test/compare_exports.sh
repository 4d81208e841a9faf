#!/usr/bin/env bash
# Two builds give the same export set: runs BASE_BIN and NEW_BIN over the
# equivalence corpus (the seed, the first 100 PolNeAR articles and 300 Reddit
# threads of ../shared/data; fp32, 2 threads) into the same fresh --out, one
# after the other, and compares every file of the two export sets byte for
# byte after masking run metadata (run start times, stage seconds and speeds).
# Prints the files that differ and exits 1 when any does.
#   usage: scripts/test/compare_exports.sh BASE_BIN NEW_BIN [WORK_DIR]
# With KEEP_BASE=1 and a WORK_DIR that already holds base/ from an earlier
# call, the base run is not repeated.
set -euo pipefail
cd "$(dirname "$0")/../.."
BASE_BIN=$(realpath "${1:?usage: compare_exports.sh BASE_BIN NEW_BIN [WORK_DIR]}")
NEW_BIN=$(realpath "${2:?usage: compare_exports.sh BASE_BIN NEW_BIN [WORK_DIR]}")
WORK=${3:-$(mktemp -d)}
mkdir -p "$WORK"
WORK=$(realpath "$WORK")
SHARED=$(realpath "${SHARED:-$PWD/../shared/data}")
MODELS=${MODELS:-$PWD/models}

if [ ! -d "$WORK/in" ]; then
  mkdir -p "$WORK/in/polnear"
  # Listed to a file first: `sort | head` would end sort with SIGPIPE, which pipefail makes fatal.
  find "$SHARED/corpus/polnear" -name '*.txt' | sort > "$WORK/in/polnear.list"
  head -n 100 "$WORK/in/polnear.list" | xargs -I{} ln -s {} "$WORK/in/polnear/"
  python3 scripts/data/reddit_to_jsonl.py "$SHARED/stance/reddit-trump" > "$WORK/in/all-threads.jsonl"
  head -n 300 "$WORK/in/all-threads.jsonl" > "$WORK/in/reddit.jsonl"
fi

run() { # BIN NAME: a fresh run into $WORK/out, kept as $WORK/NAME
  rm -rf "$WORK/out" "$WORK/$2"
  "$1" run "$SHARED/seed" "$WORK/in/polnear" "$WORK/in/reddit.jsonl" --out "$WORK/out" \
    --models "$MODELS" --precision fp32 --threads 2 --quiet || [ $? -eq 1 ]
  mv "$WORK/out" "$WORK/$2"
}
if [ "${KEEP_BASE:-0}" != 1 ] || [ ! -d "$WORK/base" ]; then run "$BASE_BIN" base; fi
run "$NEW_BIN" new

python3 - "$WORK/base/latest" "$WORK/new/latest" <<'PY'
import json, os, re, sys

def masked(path):
    text = open(path, encoding="utf-8").read()
    if path.endswith("summary.json"):
        summary = json.loads(text)
        for key in ("run_started", "seconds", "words_per_second"):
            summary.pop(key, None)
        text = json.dumps(summary, indent=1, sort_keys=True)
    text = re.sub(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", "<time>", text)
    text = re.sub(r"\d{4}-\d\d-\d\d \d\d:\d\d UTC", "<time>", text)
    return re.sub(r'lastmodifieddate="[^"]*"', 'lastmodifieddate=""', text)

base, new = sys.argv[1], sys.argv[2]
names = sorted(set(os.listdir(base)) | set(os.listdir(new)))
differ = []
for name in names:
    a, b = os.path.join(base, name), os.path.join(new, name)
    if not (os.path.isfile(a) and os.path.isfile(b)) or masked(a) != masked(b):
        differ.append(name)
print(json.dumps({"files": len(names), "differ": differ}))
sys.exit(1 if differ else 0)
PY
